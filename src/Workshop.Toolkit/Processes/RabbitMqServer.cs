using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Workshop.Toolkit.Processes;

/// <summary>
/// A real RabbitMQ broker (Debian's <c>rabbitmq-server</c>) as a child process of its own, with its own Erlang port
/// mapper (<c>epmd</c>) so that nothing of it is shared with a system broker: AMQP, distribution and epmd each on a free
/// port of 127.0.0.1, its node name unique, its data and logs in a temporary directory, no plugins. It can be killed
/// and started again on the same ports mid-run (its durable queues and persistent messages survive a restart, as on a
/// real host). Disposing stops it and its epmd and removes its directory; like every child of the toolkit, it dies
/// with this process.
/// </summary>
public sealed class RabbitMqServer : IAsyncDisposable
{
    /// <summary>How to install it when it is missing.</summary>
    public const string InstallHint = "sudo apt-get install -y rabbitmq-server (Debian and Ubuntu; tools/setup.sh installs it)";

    /// <summary>How long a start may take: the Erlang VM and the broker's boot, on a busy 2-core machine.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private const string DebianServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private readonly string _server;
    private readonly string _epmd;
    private readonly string _directory;
    private readonly string _node;
    private readonly StringBuilder _log = new();
    private Process? _epmdProcess;
    private Process? _process;

    private RabbitMqServer(string server, string epmd, string directory)
    {
        _server = server;
        _epmd = epmd;
        _directory = directory;
        _node = $"rabbit-{Guid.NewGuid().ToString("N")[..8]}@localhost";
        Port = LabService.FreePort();
        EpmdPort = LabService.FreePort();
        DistributionPort = LabService.FreePort();
    }

    /// <summary>The AMQP port on 127.0.0.1 (the same after <see cref="RestartAsync"/>).</summary>
    public int Port { get; }

    /// <summary>The port of its own epmd.</summary>
    public int EpmdPort { get; }

    /// <summary>The Erlang distribution port of the node.</summary>
    public int DistributionPort { get; }

    /// <summary><c>amqp://guest:guest@127.0.0.1:PORT/</c>: the default user, allowed from loopback only.</summary>
    public Uri AmqpUri => new(string.Create(CultureInfo.InvariantCulture, $"amqp://guest:guest@127.0.0.1:{Port}/"));

    /// <summary>The broker's process id, or null while it is stopped.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>The epmd's process id, or null once it is stopped.</summary>
    public int? EpmdProcessId => _epmdProcess is { HasExited: false } p ? p.Id : null;

    /// <summary>What the broker wrote, for a failure message.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Debian's rabbitmq-server (the one that runs as the calling user), or one on PATH, or null.</summary>
    public static string? FindExecutable() =>
        File.Exists(DebianServer) ? DebianServer : OnPath("rabbitmq-server");

    /// <summary>Starts a broker on free loopback ports and waits until it answers an AMQP handshake.</summary>
    /// <exception cref="InvalidOperationException">rabbitmq-server or epmd is not installed, or the broker did not become ready; the message says why.</exception>
    public static async Task<RabbitMqServer> StartAsync(CancellationToken ct = default)
    {
        var server = FindExecutable() ?? throw new InvalidOperationException($"RabbitMQ is not installed: {InstallHint}.");
        var epmd = OnPath("epmd") ?? throw new InvalidOperationException($"Erlang's epmd is not on PATH: {InstallHint} (it brings Erlang).");
        var directory = Path.Combine(Path.GetTempPath(), $"rabbitmq-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var broker = new RabbitMqServer(server, epmd, directory);
        try
        {
            // No plugins (no management UI on a fixed port); guest may connect, from loopback only (the default).
            await File.WriteAllTextAsync(Path.Combine(directory, "enabled_plugins"), "[].", ct).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(directory, "rabbitmq.conf"), string.Create(CultureInfo.InvariantCulture,
                $"listeners.tcp.default = 127.0.0.1:{broker.Port}\n"), ct).ConfigureAwait(false);
            broker.StartEpmd();
            await broker.StartBrokerAsync(ct).ConfigureAwait(false);
            return broker;
        }
        catch
        {
            await broker.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Kills the broker at once (SIGKILL), as its host dies: clients see their connections reset.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process) return;
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync().ConfigureAwait(false);
        ChildProcesses.Remove(process);
        process.Dispose();
        _process = null;
    }

    /// <summary>Starts the broker again on the same ports and data, after <see cref="KillAsync"/>.</summary>
    public async Task RestartAsync(CancellationToken ct = default)
    {
        await KillAsync().ConfigureAwait(false);
        await StartBrokerAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Has the broker write to disk what it still holds in memory: its definitions (a queue declared a moment ago waits
    /// in Mnesia's write cache for up to 2 s, so a kill right after would start the broker again without it), through
    /// <c>rabbitmqctl eval 'mnesia:sync_log().'</c>. A test that kills the broker mid-backlog calls this first, so the kill
    /// loses what a broker that had run for a while would lose, and no more: no queue, and no confirmed message.
    /// </summary>
    /// <exception cref="InvalidOperationException">rabbitmqctl failed; the message holds what it printed.</exception>
    public async Task SyncToDiskAsync(CancellationToken ct = default)
    {
        var ctl = Path.Combine(Path.GetDirectoryName(_server) ?? "", "rabbitmqctl");
        if (!File.Exists(ctl)) ctl = OnPath("rabbitmqctl") ?? throw new InvalidOperationException($"rabbitmqctl is not installed beside {_server}: {InstallHint}.");
        // The CLI reaches the node as the server's own tools would: its cookie (in HOME), its epmd.
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = _directory,
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["ERL_EPMD_PORT"] = EpmdPort.ToString(CultureInfo.InvariantCulture),
        };
        var run = await ProcessRunner.RunAsync(ctl, ["-n", _node, "eval", "mnesia:sync_log()."], _directory, environment, ct, TimeSpan.FromMinutes(1)).ConfigureAwait(false);
        if (run.ExitCode != 0 || !run.StandardOutput.Contains("ok", StringComparison.Ordinal))
            throw new InvalidOperationException($"rabbitmqctl could not make the broker sync to disk (exit code {run.ExitCode}): {run.StandardOutput.Trim()} {run.StandardError.Trim()}");
    }

    /// <summary>True when a connection to the AMQP port gets the start of an AMQP answer to the protocol header.</summary>
    public async Task<bool> AnswersAmqpAsync(CancellationToken ct = default)
    {
        try
        {
            using var client = new TcpClient();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromSeconds(5));
            await client.ConnectAsync(IPAddress.Loopback, Port, limit.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("AMQP\0\0\u0009\u0001"u8.ToArray(), limit.Token).ConfigureAwait(false);
            var first = new byte[1];
            // A method frame (type 1) carrying connection.start: the broker is ready to talk AMQP 0-9-1.
            return await stream.ReadAsync(first, limit.Token).ConfigureAwait(false) == 1 && first[0] == 1;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        if (_epmdProcess is { } epmd)
        {
            if (!epmd.HasExited) epmd.Kill(entireProcessTree: true);
            await epmd.WaitForExitAsync().ConfigureAwait(false);
            ChildProcesses.Remove(epmd);
            epmd.Dispose();
            _epmdProcess = null;
        }
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private void StartEpmd()
    {
        var start = new ProcessStartInfo(_epmd) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-address", "127.0.0.1", "-port", EpmdPort.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{_epmd} did not start.");
        ChildProcesses.Add(process);
        _epmdProcess = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private async Task StartBrokerAsync(CancellationToken ct)
    {
        var start = new ProcessStartInfo(_server)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        var environment = new Dictionary<string, string>
        {
            // Its own cookie (in HOME), epmd, node name and ports: nothing shared with a broker the machine may run.
            ["HOME"] = _directory,
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["ERL_EPMD_PORT"] = EpmdPort.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_NODENAME"] = _node,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Port.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = DistributionPort.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(_directory, "rabbitmq"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_directory, "enabled_plugins"),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(_directory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(_directory, "log"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(_directory, "pid"),
            ["RABBITMQ_LOGS"] = "-",
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{_server} did not start.");
        ChildProcesses.Add(process);
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (!await AnswersAmqpAsync(ct).ConfigureAwait(false))
        {
            if (process.HasExited)
                throw new InvalidOperationException($"rabbitmq-server exited ({process.ExitCode}) before it answered AMQP on 127.0.0.1:{Port}:\n{Tail()}");
            if (clock.Elapsed > StartTimeout)
                throw new InvalidOperationException($"rabbitmq-server did not answer AMQP on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds:N0} s:\n{Tail()}");
            await Task.Delay(250, ct).ConfigureAwait(false);
        }
    }

    private string Tail() => string.Join('\n', Log.Split('\n').TakeLast(20));

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/sbin").Append("/usr/local/bin")
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            if (_log.Length < 256 * 1024) _log.AppendLine(line);
        }
    }
}
