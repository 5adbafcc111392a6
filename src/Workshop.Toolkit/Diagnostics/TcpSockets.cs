using System.Globalization;

namespace Workshop.Toolkit.Diagnostics;

/// <summary>
/// The TCP sockets a process holds to a remote port, counted as <c>ss -tnp</c> would from <c>/proc</c>: the inodes of
/// the process's socket descriptors, matched against <c>/proc/net/tcp</c> and <c>tcp6</c>. Linux only.
/// </summary>
public static class TcpSockets
{
    // /proc/net/tcp states, in hex.
    private static readonly Dictionary<string, string> States = new(StringComparer.Ordinal)
    {
        ["01"] = "ESTABLISHED", ["02"] = "SYN_SENT", ["03"] = "SYN_RECV", ["04"] = "FIN_WAIT1", ["05"] = "FIN_WAIT2",
        ["06"] = "TIME_WAIT", ["07"] = "CLOSE", ["08"] = "CLOSE_WAIT", ["09"] = "LAST_ACK", ["0A"] = "LISTEN", ["0B"] = "CLOSING",
    };

    /// <summary>True where the count can be taken (Linux, with /proc).</summary>
    public static bool Supported => OperatingSystem.IsLinux() && File.Exists("/proc/net/tcp");

    /// <summary>The sockets <paramref name="processId"/> holds whose remote port is <paramref name="remotePort"/>, by state.</summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    public static IReadOnlyDictionary<string, int> ToRemotePort(int processId, int remotePort)
    {
        if (!Supported) throw new PlatformNotSupportedException("TcpSockets reads /proc, which only Linux has.");
        var inodes = SocketInodes(processId);
        var byState = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists))
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 10 || !inodes.Contains(f[9])) continue;
                var port = int.Parse(f[2][(f[2].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (port != remotePort) continue;
                var state = States.GetValueOrDefault(f[3], f[3]);
                byState[state] = byState.GetValueOrDefault(state) + 1;
            }
        }
        return byState;
    }

    /// <summary>All of them, whatever their state.</summary>
    public static int CountToRemotePort(int processId, int remotePort) => ToRemotePort(processId, remotePort).Values.Sum();

    private static HashSet<string> SocketInodes(int processId)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fd in Directory.EnumerateFiles($"/proc/{processId}/fd"))
        {
            try
            {
                // "socket:[123456]"
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal)) inodes.Add(target[8..^1]);
            }
            catch (IOException)
            {
                // Closed between the listing and the read.
            }
        }
        return inodes;
    }
}
