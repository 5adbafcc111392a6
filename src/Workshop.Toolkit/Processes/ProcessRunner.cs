using System.Diagnostics;
using System.Text;

namespace Workshop.Toolkit.Processes;

/// <summary>What a finished subprocess printed.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Every line it printed, stdout's first.</summary>
    public IEnumerable<string> Lines => (StandardOutput + "\n" + StandardError).Split('\n').Select(l => l.TrimEnd('\r'));
}

/// <summary>
/// The one way the workshop runs a tool to its end (dotnet build, dotnet test, git, dotnet-gcdump): output captured,
/// MSBuild nodes not left behind, the whole tree killed when cancelled or timed out, and killed too when this process
/// ends or gets a signal (as the services <see cref="LabService"/> starts are).
/// </summary>
public static class ProcessRunner
{
    /// <summary>
    /// The dotnet host to run: the one the SDK names for its children, else the one running us (`dotnet workshop.dll`),
    /// else whatever `dotnet` is on PATH.
    /// </summary>
    public static string Dotnet
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
            var self = Environment.ProcessPath;
            return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        }
    }

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/> and returns what it printed, whatever its exit code.</summary>
    /// <exception cref="OperationCanceledException">Cancelled: the tool and its children were killed.</exception>
    /// <exception cref="TimeoutException">It ran longer than <paramref name="timeout"/>: the tool and its children were killed.</exception>
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken ct = default, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // No MSBuild node may outlive the command: a leftover node keeps a CPU core and our pipes busy.
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        ChildProcesses.Add(process);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t) limit.CancelAfter(t);
        process.StandardInput.Close();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var drains = Task.WhenAll(DrainAsync(process.StandardOutput, stdout), DrainAsync(process.StandardError, stderr));
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            if (ct.IsCancellationRequested) throw;
            throw new TimeoutException($"'{Path.GetFileName(file)} {string.Join(' ', info.ArgumentList)}' ran longer than {timeout?.TotalSeconds:0} s and was killed.");
        }
        finally
        {
            ChildProcesses.Remove(process);
        }

        // Bounded: a grandchild that outlives the tool (a compiler server) may hold the pipes open for minutes.
        await Task.WhenAny(drains, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None)).ConfigureAwait(false);
        lock (stdout) lock (stderr) return new ProcessResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Kills every tool and service this process started and still runs, with their children (MSBuild nodes, test hosts).</summary>
    public static void KillAll() => ChildProcesses.KillAll();

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or already reaped by its owner.
        }
    }

    private static async Task DrainAsync(StreamReader reader, StringBuilder into)
    {
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                lock (into) into.Append(line).Append('\n');
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe went away with the process.
        }
    }
}
