using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Workshop.Toolkit.Replay;

namespace Workshop.Toolkit.Prometheus;

/// <summary>One series of a PromQL answer: its labels and its value at the query's time.</summary>
public sealed record PromSample(IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// When Prometheus saw one variant's replay: its first scrape after the warm-up (no request in flight) and its first
/// scrape after the load (none in flight either), so a query <c>@</c> the end over <see cref="Window"/> covers exactly
/// the requests the replay measured.
/// </summary>
public sealed record ScrapeWindow(string Variant, string Lab, DateTimeOffset LoadStart, DateTimeOffset LoadEnd)
{
    /// <summary>The range selector that spans the load, in whole seconds, rounded up: <c>[17s]</c>.</summary>
    public string Window => string.Create(CultureInfo.InvariantCulture, $"[{Math.Max(1, (int)Math.Ceiling((LoadEnd - LoadStart).TotalSeconds))}s]");

    /// <summary>The evaluation time for <c>@</c>, in Unix seconds.</summary>
    public string At => (LoadEnd.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>The load's start for <c>@</c>, in Unix seconds.</summary>
    public string StartAt => (LoadStart.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>
/// What a service dashboard shows for one variant's load, as PromQL answered it over the load's window.
/// </summary>
/// <param name="Variant">The variant.</param>
/// <param name="Requests">Requests the service routed and answered during the load (its request-duration histogram's count).</param>
/// <param name="ServerErrors">Of those, answered 5xx.</param>
/// <param name="P99Milliseconds">p99 of the server's request durations, from the histogram's buckets (interpolated within one).</param>
/// <param name="HeapPeakBytes">The highest GC heap scraped during the load.</param>
/// <param name="HeapGrowthBytes">GC heap at the end of the load less at its start.</param>
/// <param name="ThreadPoolQueuePeak">The longest thread-pool queue scraped during the load.</param>
/// <param name="Queries">Each figure's PromQL, by figure name.</param>
public sealed record DashboardFigures(string Variant, double Requests, double ServerErrors, double P99Milliseconds, double HeapPeakBytes,
    double HeapGrowthBytes, double ThreadPoolQueuePeak, IReadOnlyDictionary<string, string> Queries)
{
    /// <summary>Share of requests answered 5xx (0 when none were answered).</summary>
    public double ErrorRatio => Requests > 0 ? ServerErrors / Requests : 0;
}

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c> package) on a loopback port, with a generated configuration
/// that scrapes every second the lab services it is told about (file-based discovery, one <c>variant</c> label a
/// service), and its HTTP API for PromQL. As a <see cref="IReplayObserver"/> it joins a replay: each service becomes a
/// target as it starts, and the replay waits for a fresh scrape before and after the load.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable, IReplayObserver
{
    /// <summary>How often it scrapes its targets.</summary>
    public static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(1);

    private readonly Process _process;
    private readonly string _directory;
    private readonly HttpClient _http;
    private readonly Dictionary<string, (Uri Target, string Lab)> _targets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _loadStarts = new(StringComparer.Ordinal);
    private readonly List<ScrapeWindow> _windows = [];
    private readonly StringBuilder _log = new();

    private PrometheusServer(Process process, string directory, Uri baseAddress)
    {
        _process = process;
        _directory = directory;
        BaseAddress = baseAddress;
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Where its web UI and API listen.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The windows of the replays it observed, in order.</summary>
    public IReadOnlyList<ScrapeWindow> Windows => _windows;

    /// <summary>The window of one variant's replay.</summary>
    public ScrapeWindow Window(string variant) =>
        _windows.LastOrDefault(w => w.Variant.Equals(variant, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidOperationException($"Prometheus observed no replay of {variant}; pass the server as the replay's observer.");

    /// <summary>The prometheus executable on PATH (or Debian's /usr/bin/prometheus); null when not installed.</summary>
    public static string? FindExecutable()
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin");
        return dirs.Select(d => Path.Combine(d, "prometheus")).FirstOrDefault(File.Exists);
    }

    /// <summary>How to install it where it is missing.</summary>
    public const string InstallHint = "sudo apt-get install -y prometheus (Debian and Ubuntu; .ci/run installs it), or put a prometheus binary (2.x) on PATH";

    /// <summary>Starts a server with no targets yet, storing its data in a temporary folder removed on dispose.</summary>
    /// <exception cref="InvalidOperationException">Prometheus is not installed, or did not become ready; the message says why.</exception>
    public static async Task<PrometheusServer> StartAsync(CancellationToken ct = default)
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException($"Prometheus is not installed: {InstallHint}.");
        var directory = Path.Combine(Path.GetTempPath(), $"prometheus-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "targets.json"), "[]");
        var seconds = $"{ScrapeInterval.TotalSeconds:0}s";
        File.WriteAllText(Path.Combine(directory, "prometheus.yml"), $"""
            # Generated by Workshop.Toolkit.PrometheusServer: every lab service of a replay, scraped every {seconds}.
            global:
              scrape_interval: {seconds}
              scrape_timeout: {seconds}
              evaluation_interval: {seconds}
            scrape_configs:
              - job_name: labs
                metrics_path: /metrics
                file_sd_configs:
                  - files: ['{Path.Combine(directory, "targets.json")}']
                    refresh_interval: {seconds}
            """);
        var port = LabService.FreePort();
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[]
                 {
                     $"--config.file={Path.Combine(directory, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1d", "--log.level=warn",
                 })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        ChildProcesses.Add(process);
        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => server.Log(e.Data);
        process.ErrorDataReceived += (_, e) => server.Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitReadyAsync(TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Scrapes <paramref name="service"/> from now on, labelled with its variant (lower case) and lab id.</summary>
    public async Task AddTargetAsync(LabService service, string lab, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        _targets[service.Variant.ToLowerInvariant()] = (service.BaseAddress, lab);
        var json = new StringBuilder("[");
        foreach (var (variant, (target, id)) in _targets)
        {
            if (json.Length > 1) json.Append(',');
            json.Append(CultureInfo.InvariantCulture, $$$"""{"targets":["{{{target.Authority}}}"],"labels":{"variant":"{{{variant}}}","lab":"{{{id}}}"}}""");
        }
        json.Append(']');
        // Written aside and moved, so discovery never reads half a file.
        var path = Path.Combine(_directory, "targets.json");
        await File.WriteAllTextAsync(path + ".tmp", json.ToString(), ct).ConfigureAwait(false);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>
    /// Waits until Prometheus has scraped <paramref name="variant"/>'s service at or after <paramref name="after"/>
    /// and returns that scrape's time. File discovery applies a new target within about 5 s.
    /// </summary>
    public async Task<DateTimeOffset> WaitForScrapeAsync(string variant, DateTimeOffset after, TimeSpan timeout, CancellationToken ct = default)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            // timestamp() of a bare selector is the scrape's own time (of any other expression, the query's time).
            var selector = $"up{{variant=\"{variant.ToLowerInvariant()}\"}}";
            var answer = await QueryAsync($"timestamp({selector})", ct: ct).ConfigureAwait(false);
            if (answer.Count > 0 && DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(answer[0].Value * 1000)) is var at && at >= after
                && await ScalarAsync(selector, at, ct).ConfigureAwait(false) == 1)
            {
                return at;
            }
            if (waited.Elapsed > timeout)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"Prometheus did not scrape the {variant} service within {timeout.TotalSeconds:0} s (its targets: {BaseAddress}targets). {Recent()}"));
            }
            await Task.Delay(200, ct).ConfigureAwait(false);
        }
    }

    /// <summary>An instant PromQL query (now, or at <paramref name="at"/>): every series of the answer.</summary>
    /// <exception cref="InvalidOperationException">Prometheus refused the query; the message has its error.</exception>
    public async Task<IReadOnlyList<PromSample>> QueryAsync(string promql, DateTimeOffset? at = null, CancellationToken ct = default)
    {
        var form = new Dictionary<string, string> { ["query"] = promql };
        if (at is { } t) form["time"] = (t.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
        using var response = await _http.PostAsync("api/v1/query", new FormUrlEncodedContent(form), ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        if (root.GetProperty("status").GetString() != "success")
            throw new InvalidOperationException($"Prometheus refused '{promql}': {root.GetProperty("error").GetString()}");
        var data = root.GetProperty("data");
        var type = data.GetProperty("resultType").GetString();
        var result = data.GetProperty("result");
        if (type == "scalar") return [new PromSample(new Dictionary<string, string>(), Number(result[1]))];
        return result.EnumerateArray().Select(series => new PromSample(
                series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal),
                Number(series.GetProperty("value")[1])))
            .ToList();
    }

    /// <summary>The one number a query answers (the first series' value); NaN when it answers nothing.</summary>
    public async Task<double> ScalarAsync(string promql, DateTimeOffset? at = null, CancellationToken ct = default)
    {
        var answer = await QueryAsync(promql, at, ct).ConfigureAwait(false);
        return answer.Count > 0 ? answer[0].Value : double.NaN;
    }

    /// <summary>
    /// Asks, in PromQL, what the dashboards of a service show for <paramref name="window"/>: requests and 5xx answered
    /// (counter at the end less at the start), p99 from the duration histogram (<c>histogram_quantile</c> over the
    /// buckets' increase), heap peak and growth, and the thread-pool queue's peak.
    /// </summary>
    public async Task<DashboardFigures> DashboardAsync(ScrapeWindow window, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(window);
        // Requests the service routed: /metrics, answered ahead of routing (and scraped by the replay too), has no route.
        var gauge = $"lab=\"{window.Lab}\",variant=\"{window.Variant.ToLowerInvariant()}\"";
        var v = gauge + ",http_route!=\"\"";
        string Delta(string selector) =>
            $"(sum({selector} @ {window.At}) or vector(0)) - (sum({selector} @ {window.StartAt}) or vector(0))";
        var queries = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["requests"] = Delta($"http_server_request_duration_seconds_count{{{v}}}"),
            ["server_errors"] = Delta($"http_server_request_duration_seconds_count{{{v},http_response_status_code=~\"5..\"}}"),
            ["p99_ms"] = $"1000 * histogram_quantile(0.99, sum by (le) (increase(http_server_request_duration_seconds_bucket{{{v}}}{window.Window} @ {window.At})))",
            ["heap_peak_bytes"] = $"max_over_time(dotnet_gc_heap_size_bytes{{{gauge}}}{window.Window} @ {window.At})",
            ["heap_growth_bytes"] = $"sum(dotnet_gc_heap_size_bytes{{{gauge}}} @ {window.At}) - sum(dotnet_gc_heap_size_bytes{{{gauge}}} @ {window.StartAt})",
            ["thread_pool_queue_peak"] = $"max_over_time(workshop_thread_pool_queue_length{{{gauge}}}{window.Window} @ {window.At})",
        };
        var answers = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, query) in queries) answers[name] = await ScalarAsync(query, ct: ct).ConfigureAwait(false);
        return new DashboardFigures(window.Variant, answers["requests"], answers["server_errors"], answers["p99_ms"], answers["heap_peak_bytes"],
            answers["heap_growth_bytes"], answers["thread_pool_queue_peak"], queries);
    }

    /// <inheritdoc />
    Task IReplayObserver.ServiceStartedAsync(string variant, LabService service, CancellationToken ct) =>
        AddTargetAsync(service, service.Lab[..2], ct);

    /// <inheritdoc />
    async Task IReplayObserver.LoadStartingAsync(string variant, LabService service, CancellationToken ct) =>
        _loadStarts[variant] = await WaitForScrapeAsync(variant, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);

    /// <inheritdoc />
    async Task IReplayObserver.LoadEndedAsync(string variant, LabService service, CancellationToken ct)
    {
        var end = await WaitForScrapeAsync(variant, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        _windows.Add(new ScrapeWindow(variant, service.Lab[..2], _loadStarts.GetValueOrDefault(variant, end), end));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            ChildProcesses.RequestStop(_process);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { ChildProcesses.KillTree(_process); }
        }
        ChildProcesses.Remove(_process);
        _process.Dispose();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private async Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"Prometheus exited with {_process.ExitCode} before it was ready. {Recent()}");
            try
            {
                using var ready = await _http.GetAsync("-/ready", ct).ConfigureAwait(false);
                if (ready.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            if (waited.Elapsed > timeout) throw new TimeoutException($"Prometheus was not ready within {timeout.TotalSeconds:0} s. {Recent()}");
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    private static double Number(JsonElement value) =>
        double.Parse(value.GetString() ?? "NaN", NumberStyles.Float, CultureInfo.InvariantCulture); // "+Inf", "NaN" too

    private void Log(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            _log.AppendLine(line);
            if (_log.Length > 8_000) _log.Remove(0, _log.Length - 8_000);
        }
    }

    private string Recent()
    {
        lock (_log) return _log.Length == 0 ? "It printed nothing." : $"It printed: {_log.ToString().Trim()}";
    }
}
