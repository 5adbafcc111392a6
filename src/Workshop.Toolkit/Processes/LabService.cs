using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Workshop.Toolkit.Processes;

/// <summary>How a service stopped.</summary>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="Graceful">True when it exited by itself, with code 0, within the grace period after SIGTERM.</param>
/// <param name="Elapsed">From the stop request until the process was gone.</param>
/// <param name="AlreadyExited">True when it had exited before anyone asked it to (a crash, usually).</param>
public sealed record StopResult(int ExitCode, bool Graceful, TimeSpan Elapsed, bool AlreadyExited);

/// <summary>
/// A lab service variant running as a real child process on a free loopback port: the numbers it shows are
/// its own, not a test host's. Start with <c>StartAsync</c>, stop with <see cref="StopAsync"/> or by
/// disposing. Services still running when this process ends (normal exit, Ctrl+C, SIGTERM, SIGHUP) are killed
/// with it; the one case no code can cover is this process being killed with SIGKILL, which leaves them running
/// (find them with <c>pgrep -f 'dotnet .*labs/'</c>).
/// </summary>
public sealed class LabService : IAsyncDisposable
{
    /// <summary>How long a service may take to answer 200 on /healthz.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Grace period between SIGTERM and kill when <see cref="StopAsync"/> is given none.</summary>
    public static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(10);

    private const int OutputLines = 200;
    private const int PortAttempts = 3;

    /// <summary>Raised with the process id right after a child starts; lets tests cancel a start at a known point.</summary>
    internal static event Action<int>? ChildStarted;

    private readonly Process _process;
    private readonly OutputRing _output = new(OutputLines);
    private readonly Task _drains;
    private readonly Task _exited;
    private readonly Lock _stopGate = new();
    private Task<StopResult>? _stop;

    private LabService(string lab, string variant, string assemblyPath, int port, IReadOnlyDictionary<string, string>? settings)
    {
        Lab = lab;
        Variant = variant;
        AssemblyPath = assemblyPath;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");

        var info = new ProcessStartInfo(DotnetBuild.Host)
        {
            // The service's content root: appsettings.json and relative log folders resolve next to the dll.
            WorkingDirectory = Path.GetDirectoryName(assemblyPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(assemblyPath);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            // The environment configuration provider reads "__" as the section separator ":".
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {DotnetBuild.Host}.");
        ChildProcesses.Add(_process);
        ProcessId = _process.Id;
        _drains = Task.WhenAll(_output.Drain(_process.StandardOutput, ""), _output.Drain(_process.StandardError, "stderr: "));
        // We read the pipes ourselves, so this completes at exit without waiting for the pipes to close.
        _exited = _process.WaitForExitAsync();
        ChildStarted?.Invoke(ProcessId);
    }

    /// <summary>The lab's full name, e.g. "01-logging-blocking".</summary>
    public string Lab { get; }

    /// <summary>The variant folder, e.g. "Broken", "Fixed", "NaiveFix".</summary>
    public string Variant { get; }

    /// <summary>The dll that was started.</summary>
    public string AssemblyPath { get; }

    /// <summary>The loopback port the service listens on.</summary>
    public int Port { get; }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri BaseAddress { get; }

    /// <summary>The child's process id (for dotnet-counters, dotnet-gcdump, dotnet-trace).</summary>
    public int ProcessId { get; }

    /// <summary>True once the process is gone.</summary>
    public bool HasExited => _exited.IsCompleted;

    /// <summary>The last 200 lines the service wrote (stderr lines prefixed "stderr: ").</summary>
    public IReadOnlyList<string> RecentOutput => _output.Snapshot();

    /// <summary>
    /// Builds the variant (once per process, in Release; skipped when WORKSHOP_NO_BUILD=1 finds it built), starts it on a free
    /// loopback port with <paramref name="settings"/> as configuration (<c>Lab:LogSinkDelayMs</c> becomes the
    /// environment variable <c>Lab__LogSinkDelayMs</c>), and waits until <c>/healthz</c> answers 200.
    /// </summary>
    /// <param name="lab">"01", "1" or "01-logging-blocking".</param>
    /// <param name="variant">The variant folder: "Broken", "Fixed", "NaiveFix".</param>
    /// <param name="settings">Configuration keys and values for the service.</param>
    /// <param name="ct">Cancels the start; the child, if started, is killed.</param>
    /// <exception cref="ArgumentException">Unknown lab or variant.</exception>
    /// <exception cref="InvalidOperationException">The build failed, or the service exited before it was healthy.</exception>
    /// <exception cref="TimeoutException">The service did not become healthy within <see cref="StartTimeout"/>.</exception>
    public static Task<LabService> StartAsync(
        string lab, string variant, IReadOnlyDictionary<string, string>? settings = null, CancellationToken ct = default) =>
        StartAsync(Labs.Find(lab), variant, settings, ct);

    /// <summary>Starts a variant of a lab found anywhere (a scratch copy of the repository, say): see <see cref="StartAsync(string, string, IReadOnlyDictionary{string, string}?, CancellationToken)"/>.</summary>
    public static async Task<LabService> StartAsync(
        LabInfo info, string variant, IReadOnlyDictionary<string, string>? settings = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        var project = info.ProjectFile(variant);
        // The same knobs go to every variant; the service is told which of them its lab's other variants read.
        var all = new Dictionary<string, string>(settings ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        all.TryAdd(LabInfo.OtherVariantsKnobsKey, info.KnobsOfAnyVariant());
        return await StartProjectAsync(project, info.Name, Path.GetFileName(Path.GetDirectoryName(project)!), all, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Builds and starts any service project of the repository (a shared fake under <c>src/</c>, say) the way a lab's
    /// variant starts: see <see cref="StartAsync(string, string, IReadOnlyDictionary{string, string}?, CancellationToken)"/>.
    /// </summary>
    /// <param name="project">The project file.</param>
    /// <param name="name">What to call it in messages ("downstream").</param>
    /// <param name="variant">Its variant name in messages.</param>
    /// <param name="settings">Configuration keys and values for the service.</param>
    /// <param name="ct">Cancels the start; the child, if started, is killed.</param>
    public static async Task<LabService> StartProjectAsync(
        string project, string name, string variant, IReadOnlyDictionary<string, string>? settings = null, CancellationToken ct = default)
    {
        var dll = await DotnetBuild.EnsureBuiltAsync(project, ct).ConfigureAwait(false);
        return await StartBuiltAsync(dll, name, variant, settings, ct).ConfigureAwait(false);
    }

    /// <summary>Starts an already built service assembly (no build): see <see cref="StartProjectAsync"/>.</summary>
    /// <exception cref="FileNotFoundException">No such assembly.</exception>
    public static async Task<LabService> StartBuiltAsync(
        string dll, string name, string variant, IReadOnlyDictionary<string, string>? settings = null, CancellationToken ct = default)
    {
        if (!File.Exists(dll)) throw new FileNotFoundException($"{name} is not built: there is no {dll}.", dll);

        for (var attempt = 1; ; attempt++)
        {
            var service = new LabService(name, variant, dll, FreePort(), settings);
            try
            {
                await service.WaitHealthyAsync(StartTimeout, ct).ConfigureAwait(false);
                return service;
            }
            catch (PortTakenException) when (attempt < PortAttempts)
            {
                // Another process took the port between FreePort() and the bind; pick another one.
                await service.AbandonAsync().ConfigureAwait(false);
            }
            catch
            {
                // Cancelled, crashed or too slow: whatever happened, no child outlives a failed start.
                await service.AbandonAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>A port that was free on 127.0.0.1 a moment ago (the OS picks it, so it is rarely reused soon).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A client for this service, sized for load: see <see cref="LoadDriver.CreateClient"/>. Create one and reuse it.
    /// </summary>
    public HttpClient CreateClient(int maxConnections = LoadDriver.DefaultMaxConnections) =>
        LoadDriver.CreateClient(BaseAddress, maxConnections);

    /// <summary>
    /// Stops the service: SIGTERM (so the host runs its shutdown: flushes logs, drains requests), then, after
    /// <paramref name="grace"/> (default 10 s), kills the process tree. Windows has no SIGTERM: it kills at once.
    /// Calling it again returns the first call's result.
    /// </summary>
    public Task<StopResult> StopAsync(TimeSpan? grace = null)
    {
        lock (_stopGate) return _stop ??= StopCoreAsync(grace ?? DefaultStopGrace);
    }

    /// <summary>Stops the service (see <see cref="StopAsync"/>) and releases the process handle.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Lab}/{Variant} at {BaseAddress} (pid {ProcessId})";

    private async Task<StopResult> StopCoreAsync(TimeSpan grace)
    {
        var clock = Stopwatch.StartNew();
        if (HasExited)
        {
            await FinishAsync().ConfigureAwait(false);
            return new StopResult(_process.ExitCode, Graceful: false, TimeSpan.Zero, AlreadyExited: true);
        }

        var exitedOnRequest = false;
        if (ChildProcesses.RequestStop(_process))
        {
            try
            {
                await _exited.WaitAsync(grace).ConfigureAwait(false);
                exitedOnRequest = true;
            }
            catch (TimeoutException)
            {
                // Ignored SIGTERM or stuck in shutdown: killed below.
            }
        }

        if (!exitedOnRequest)
        {
            ChildProcesses.KillTree(_process);
            await _exited.ConfigureAwait(false);
        }

        var elapsed = clock.Elapsed;
        await FinishAsync().ConfigureAwait(false);
        return new StopResult(_process.ExitCode, exitedOnRequest && _process.ExitCode == 0, elapsed, AlreadyExited: false);
    }

    private async Task AbandonAsync()
    {
        ChildProcesses.KillTree(_process);
        await _exited.ConfigureAwait(false);
        await FinishAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private async Task FinishAsync()
    {
        ChildProcesses.Remove(_process);
        // The last lines usually say why a service died; give the readers a moment to collect them.
        await Task.WhenAny(_drains, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(2),
        };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (HasExited)
            {
                await FinishAsync().ConfigureAwait(false);
                var output = RecentOutput;
                if (output.Any(l => l.Contains("address already in use", StringComparison.OrdinalIgnoreCase)))
                    throw new PortTakenException();
                throw new InvalidOperationException(
                    $"{Lab}/{Variant} exited with code {_process.ExitCode} before /healthz answered.{Tail(output)}");
            }

            try
            {
                using var response = await client.GetAsync("healthz", ct).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // Listening but slow to answer; try again until the deadline.
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(
                    $"{Lab}/{Variant} (pid {ProcessId}) did not answer 200 on /healthz within {timeout.TotalSeconds:0} s.{Tail(RecentOutput)}");
            }

            // Wake early if the process dies, so a crash is reported at once rather than at the deadline.
            await Task.WhenAny(_exited, Task.Delay(TimeSpan.FromMilliseconds(100), ct)).ConfigureAwait(false);
        }
    }

    private static string Tail(IReadOnlyList<string> output)
    {
        if (output.Count == 0) return " It wrote nothing.";
        // A crash at start prints the reason first and a long stack after it: keep the reason whatever the tail holds.
        var reason = output.FirstOrDefault(l => l.Contains("Exception: ", StringComparison.Ordinal));
        var tail = output.TakeLast(30).ToList();
        var cause = reason is not null && !tail.Contains(reason) ? $" {reason.Replace("stderr: ", "", StringComparison.Ordinal).Trim()}" : "";
        return $"{cause} Its last output:{Environment.NewLine}{string.Join(Environment.NewLine, tail)}";
    }

    private sealed class PortTakenException : Exception;
}
