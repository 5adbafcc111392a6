using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Workshop.Toolkit.Processes;

/// <summary>
/// A real Redis server (Debian's <c>redis-server</c>) as a child process on a free port of 127.0.0.1, with no
/// persistence and its working folder in a temporary directory, for a lab whose incident lives in a shared store. It
/// can be killed and started again on the same port mid-run, as a store fails and comes back. Disposing stops it and
/// removes its folder; like every child of the toolkit, it dies with this process.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    /// <summary>How to install it when it is missing.</summary>
    public const string InstallHint = "sudo apt-get install -y redis-server (Debian and Ubuntu; tools/setup.sh installs it), or put a redis-server binary (6.x or 7.x) on PATH";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private readonly string _executable;
    private readonly string _directory;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private RedisServer(string executable, string directory, int port)
    {
        _executable = executable;
        _directory = directory;
        Port = port;
    }

    /// <summary>The port it listens on, on 127.0.0.1 (the same after <see cref="RestartAsync"/>).</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>, a StackExchange.Redis configuration string.</summary>
    public string Endpoint => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>The server process's id, or null while it is stopped.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>What the server wrote, for a failure message.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>The redis-server on PATH (or Debian's), or null.</summary>
    public static string? FindExecutable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/local/bin")
            .Select(d => Path.Combine(d, "redis-server"))
            .FirstOrDefault(File.Exists);

    /// <summary>Starts a server on a free loopback port and waits until it answers PING.</summary>
    /// <exception cref="InvalidOperationException">redis-server is not installed, or did not become ready; the message says why.</exception>
    public static async Task<RedisServer> StartAsync(CancellationToken ct = default)
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException($"Redis is not installed: {InstallHint}.");
        var directory = Path.Combine(Path.GetTempPath(), $"redis-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var server = new RedisServer(executable, directory, LabService.FreePort());
        try
        {
            await server.StartProcessAsync(ct).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Kills the server at once (SIGKILL), as a store's host dies; clients see their connections reset.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process) return;
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync().ConfigureAwait(false);
        ChildProcesses.Remove(process);
        process.Dispose();
        _process = null;
    }

    /// <summary>Starts the server again on the same port (empty: it keeps nothing), after <see cref="KillAsync"/>.</summary>
    public async Task RestartAsync(CancellationToken ct = default)
    {
        await KillAsync().ConfigureAwait(false);
        await StartProcessAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Sends one command (RESP, the words as given) and returns the first line of the answer: <c>+PONG</c>, <c>:3</c>, <c>$5</c>.</summary>
    public async Task<string> CommandAsync(CancellationToken ct, params string[] words)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, ct).ConfigureAwait(false);
        var stream = client.GetStream();
        var request = new StringBuilder().Append('*').Append(words.Length).Append("\r\n");
        foreach (var word in words) request.Append('$').Append(Encoding.UTF8.GetByteCount(word)).Append("\r\n").Append(word).Append("\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), ct).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadLineAsync(ct).ConfigureAwait(false) ?? throw new IOException($"Redis at {Endpoint} closed the connection without an answer.");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private async Task StartProcessAsync(CancellationToken ct)
    {
        var start = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        // Loopback only, nothing written to disk, in the foreground: a store for one run, gone with it.
        foreach (var arg in new[]
                 {
                     "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--protected-mode", "yes",
                     "--save", "", "--appendonly", "no", "--dir", _directory, "--daemonize", "no", "--loglevel", "warning",
                 })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{_executable} did not start.");
        ChildProcesses.Add(process);
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"redis-server exited ({process.ExitCode}) before it answered on {Endpoint}:\n{Log}");
            try
            {
                if (await CommandAsync(ct, "PING").ConfigureAwait(false) == "+PONG") return;
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                // Not listening yet.
            }
            if (clock.Elapsed > ReadyTimeout)
                throw new InvalidOperationException($"redis-server did not answer PING on {Endpoint} within {ReadyTimeout.TotalSeconds:N0} s:\n{Log}");
            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            if (_log.Length < 64 * 1024) _log.AppendLine(line);
        }
    }
}
