using Microsoft.AspNetCore.Http.Features;
using Workshop.Cli.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Workshop.Toolkit.Charting;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Replay;

namespace Workshop.Cli.Live;

/// <summary>
/// `replay --live`: a page on a loopback port that draws the replay while it runs, from the same progress reports
/// and /metrics samples the replay records. Every event is kept, so a page opened late (or reloaded) catches up; each
/// page gets its own bounded queue, so a slow browser never holds the replay back. Disposing ends the page's stream
/// and stops the server.
/// </summary>
internal sealed class LiveDashboard : IReplayObserver, IProgress<ReplayProgress>, IAsyncDisposable
{
    // A replay of every lab sends about two thousand events; a page that falls this far behind loses the oldest.
    private const int PageQueue = 50_000;

    // The replay scrapes every 500 ms; three missed scrapes in a row mean the service is not answering.
    private const double StaleMetricsSeconds = 2;

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<SseItem<string>> _history = [];
    private readonly List<Channel<SseItem<string>>> _pages = [];
    private readonly CancellationTokenSource _stopRequested = new();
    private readonly Dictionary<string, (double Seconds, long Completed)> _lastSample = new(StringComparer.Ordinal);
    private LabScenario? _scenario;
    private bool _ended;

    private LiveDashboard(WebApplication app) => _app = app;

    /// <summary>Where the page is.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Cancelled when someone presses the page's stop button.</summary>
    public CancellationToken StopRequested => _stopRequested.Token;

    /// <summary>Serves the page on 127.0.0.1 at <paramref name="port"/> (0: any free port).</summary>
    /// <exception cref="UsageException">The port is taken.</exception>
    public static async Task<LiveDashboard> StartAsync(int port, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders(); // The terminal is the replay's; the page's server has nothing to add there.
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(3));
        var app = builder.Build();
        var dashboard = new LiveDashboard(app);
        app.MapLiveDashboard(dashboard);
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new UsageException($"--live-port {port} is taken ({e.Message}); pass another port, or 0 for any free one.");
        }
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        dashboard.Address = new Uri(address.EndsWith('/') ? address : address + "/");
        return dashboard;
    }

    /// <summary>A lab's replay begins: the page clears its charts and names the lab, its conditions and its figures.</summary>
    public void LabStarting(LabScenario scenario, double scale, int index, int count)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        lock (_gate)
        {
            _scenario = scenario;
            _lastSample.Clear();
        }
        var headline = scenario.Headline;
        Publish("lab", new JsonObject
        {
            ["lab"] = scenario.Lab,
            ["id"] = scenario.Id,
            ["title"] = scenario.Title,
            ["conditions"] = scenario.Conditions(scale),
            ["index"] = index,
            ["count"] = count,
            ["headline"] = headline.Label,
            ["better"] = headline.Better == Better.Lower ? "lower" : "higher",
            ["colours"] = new JsonObject { ["Broken"] = ChartColors.Broken, ["Fixed"] = ChartColors.Fixed },
            ["metrics"] = new JsonArray([.. scenario.LabMetrics.Select(m => (JsonNode)new JsonObject
            {
                ["name"] = m.Name,
                ["label"] = m.Label,
                ["variants"] = new JsonArray([.. new[] { "Broken", "Fixed" }.Where(m.AppliesTo).Select(v => (JsonNode)v)]),
            })]),
        });
    }

    /// <summary>A progress report of the replay: a phase, or a load sample once a second.</summary>
    public void Report(ReplayProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Phase == "load" && value.Load is { } load)
        {
            var seconds = load.Elapsed.TotalSeconds;
            double perSecond;
            lock (_gate)
            {
                var (lastSeconds, lastCompleted) = _lastSample.GetValueOrDefault(value.Variant);
                perSecond = seconds > lastSeconds ? (load.Completed - lastCompleted) / (seconds - lastSeconds) : double.NaN;
                _lastSample[value.Variant] = (seconds, load.Completed);
            }
            // Figures from a scrape older than this are not "now": the page draws a gap and says /metrics is not answering.
            var stale = value.MetricsAgeSeconds is not { } age || age > StaleMetricsSeconds;
            var lab = new JsonObject();
            foreach (var (name, metric) in value.LabMetrics) lab[name] = stale ? null : Number(metric);
            Publish("sample", new JsonObject
            {
                ["variant"] = value.Variant,
                ["t"] = Math.Round(seconds, 2),
                ["completed"] = load.Completed,
                ["inFlight"] = load.InFlight,
                ["perSecond"] = Number(Math.Round(perSecond, 1)),
                ["p50"] = Number(Math.Round(load.P50Ms, 2)),
                ["p99"] = Number(Math.Round(load.P99Ms, 2)),
                ["oldestWaiting"] = Number(Math.Round(load.OldestWaitingMs, 1)),
                ["errors"] = load.Errors,
                ["timeouts"] = load.Timeouts,
                ["heapBytes"] = stale ? null : Number(value.HeapBytes),
                ["queue"] = stale ? null : Number(value.ThreadPoolQueue),
                ["metricsAge"] = Number(value.MetricsAgeSeconds is { } a ? Math.Round(a, 1) : null),
                ["lab"] = lab,
            });
            return;
        }

        var phase = new JsonObject { ["variant"] = value.Variant, ["phase"] = value.Phase };
        if (value.Run is { } run) phase["figures"] = Figures(run);
        Publish("phase", phase);
    }

    /// <summary>The lab's replay is over: its headline, its sentence, and the table's rows as the terminal prints them.</summary>
    public void LabFinished(ReplayResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var h = result.Headline;
        Publish("result", new JsonObject
        {
            ["lab"] = result.Lab,
            ["headline"] = new JsonObject
            {
                ["label"] = h.Label,
                ["better"] = h.Better == Better.Lower ? "lower" : "higher",
                ["broken"] = Number(h.Broken),
                ["fixed"] = Number(h.Fixed),
                ["ratio"] = Number(h.Ratio),
                ["brokenText"] = ReplayArtifacts.Format(h.Metric, h.Broken),
                ["fixedText"] = ReplayArtifacts.Format(h.Metric, h.Fixed),
                ["ratioText"] = h.RatioText,
            },
            ["sentence"] = result.Sentence,
            ["broken"] = Figures(result.Broken),
            ["fixed"] = Figures(result.Fixed),
            ["rows"] = new JsonArray([.. ReplayArtifacts.Rows(result).Select(r => (JsonNode)new JsonArray(r.Label, r.Broken, r.Fixed))]),
        });
    }

    /// <summary>One lab of `replay all` failed; the others go on.</summary>
    public void LabFailed(string lab, string message) => Publish("failed", new JsonObject { ["lab"] = lab, ["message"] = message });

    /// <summary>
    /// The replay is over (<paramref name="reason"/>: finished, stopped or failed): the page says so and its stream
    /// ends. Later events are ignored.
    /// </summary>
    public void End(string reason, string message)
    {
        Publish("end", new JsonObject { ["reason"] = reason, ["message"] = message });
        lock (_gate)
        {
            _ended = true;
            foreach (var page in _pages) page.Writer.TryComplete();
            _pages.Clear();
        }
    }

    public Task ServiceStartedAsync(string variant, LabService service, CancellationToken ct)
    {
        Publish("service", new JsonObject { ["variant"] = variant, ["pid"] = service.ProcessId, ["url"] = service.BaseAddress.ToString() });
        return Task.CompletedTask;
    }

    public Task LoadStartingAsync(string variant, LabService service, CancellationToken ct)
    {
        Publish("phase", new JsonObject { ["variant"] = variant, ["phase"] = "load" });
        return Task.CompletedTask;
    }

    public Task LoadEndedAsync(string variant, LabService service, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The page's stop button.</summary>
    internal void RequestStop() => _stopRequested.Cancel();

    /// <summary>Every event so far, then each new one as it happens, until the replay ends or the page goes.</summary>
    internal async IAsyncEnumerable<SseItem<string>> Subscribe([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var page = Channel.CreateBounded<SseItem<string>>(new BoundedChannelOptions(PageQueue)
        {
            FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false,
        });
        lock (_gate)
        {
            foreach (var item in _history) page.Writer.TryWrite(item);
            if (_ended) page.Writer.TryComplete();
            else _pages.Add(page);
        }
        try
        {
            await foreach (var item in page.Reader.ReadAllAsync(ct)) yield return item;
        }
        finally
        {
            lock (_gate) _pages.Remove(page);
        }
    }

    public async ValueTask DisposeAsync()
    {
        bool ended;
        lock (_gate) ended = _ended;
        if (!ended) End("stopped", "The replay stopped.");
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopRequested.Dispose();
    }

    private void Publish(string type, JsonObject data)
    {
        var item = new SseItem<string>(data.ToJsonString(), type);
        lock (_gate)
        {
            if (_ended) return;
            _history.Add(item);
            foreach (var page in _pages) page.Writer.TryWrite(item);
        }
    }

    // The figures the page shows for a finished variant, straight from the run the JSON output is written from.
    private JsonObject Figures(VariantRun run)
    {
        var figures = new JsonObject();
        foreach (var (key, value) in run.Figures) figures[key] = Number(value);
        var lab = _scenario;
        if (lab is not null)
        {
            var text = new JsonObject();
            foreach (var m in lab.LabMetrics) text[m.Name] = Number(run.Figure(m.Key));
            figures["lab"] = text;
        }
        return figures;
    }

    private static JsonNode? Number(double? value) => value is { } v && double.IsFinite(v) ? JsonValue.Create(v) : null;
}
