using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Workshop.Cli.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using Workshop.Toolkit.Charting;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Replay;
using Workshop.ServiceKit;

using Workshop.Cli.Replay;

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
    private LiveSession? _session;
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
        // The page's words in the language of this run, read now: requests are served on threads that do not carry its culture.
        app.MapLiveDashboard(dashboard, PageText.Of(CultureInfo.CurrentUICulture));
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new UsageException(Localization.Texts.Get("Live.PortTaken", port, e.Message));
        }
        dashboard.Address = app.Services.BoundAddress();
        return dashboard;
    }

    /// <summary>
    /// A lab's replay begins: the page clears its charts and names the lab, its conditions and its figures, in the
    /// words of <paramref name="words"/> (the page's language).
    /// </summary>
    public void LabStarting(LabScenario scenario, ScenarioWords words, double scale, int index, int count, string? conditions = null, bool live = false)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        lock (_gate)
        {
            _scenario = scenario;
            _lastSample.Clear();
        }
        var headline = scenario.Headline;
        ArgumentNullException.ThrowIfNull(words);
        Publish("lab", new LabEvent(scenario.Lab, scenario.Id, words.Title, conditions ?? words.Conditions(scale), index, count, words.HeadlineLabel(headline),
            Word(headline.Better), new Dictionary<string, string> { ["Broken"] = ChartColors.Broken, ["Fixed"] = ChartColors.Fixed },
            [.. scenario.LabMetrics.Select(m => new LabMetricEvent(m.Name, words.Label(m.Key, m.Label), [.. new[] { "Broken", "Fixed" }.Where(m.AppliesTo)]))], live),
            LiveEventsJson.Default.LabEvent);
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
            var lab = value.LabMetrics.ToDictionary(m => m.Key, m => stale ? null : Finite(m.Value), StringComparer.Ordinal);
            Publish("sample", new SampleEvent(value.Variant, Math.Round(seconds, 2), load.Completed, load.InFlight, Finite(Math.Round(perSecond, 1)),
                Finite(Math.Round(load.P50Ms, 2)), Finite(Math.Round(load.P99Ms, 2)), Finite(Math.Round(load.OldestWaitingMs, 1)), load.Errors, load.Timeouts,
                stale ? null : Finite(value.HeapBytes), stale ? null : Finite(value.ThreadPoolQueue),
                value.MetricsAgeSeconds is { } a ? Finite(Math.Round(a, 1)) : null, stale, lab), LiveEventsJson.Default.SampleEvent);
            return;
        }

        Publish("phase", new PhaseEvent(value.Variant, value.Phase, value.Run is { } run ? Figures(run) : null), LiveEventsJson.Default.PhaseEvent);
    }

    /// <summary>The lab's replay is over: its headline, its sentence, and the table's rows as the terminal prints them.</summary>
    public void LabFinished(ReplayResult result, ScenarioWords words)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(words);
        var h = result.Headline;
        var headline = new HeadlineEvent(words.HeadlineLabel(h), Word(h.Better), Finite(h.Broken), Finite(h.Fixed), Finite(h.Ratio),
            ReplayArtifacts.Format(h.Metric, h.Broken), ReplayArtifacts.Format(h.Metric, h.Fixed), words.RatioText(h));
        Publish("result", new ResultEvent(result.Lab, headline, words.Sentence(result), Figures(result.Broken), Figures(result.Fixed),
            [.. words.Rows(result).Select(r => new[] { r.Label, r.Broken, r.Fixed })]), LiveEventsJson.Default.ResultEvent);
    }

    /// <summary>
    /// `workshop live`: the session's knobs as the page's switches, and the handler that turns one when a button is
    /// pressed (on both variants; the page hears of it through a <c>knob</c> event).
    /// </summary>
    public void LiveStarting(LiveSession session, ScenarioWords words)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(words);
        var mode = session.Mode;
        lock (_gate) _session = session;
        Publish("knobs", new KnobsEvent(
            [.. mode.Knobs.Select(k => new KnobEvent(k.Name, words.Live($"knob:{k.Name}", k.Label), k.Target.ToString().ToLowerInvariant(),
                [.. k.Settings.Select(s => new KnobSettingEvent(words.Live($"knob:{k.Name}={s.Value}", s.Label), s.Value))], session.Knobs[k.Name]))],
            words.Live("live:load", mode.Load), mode.OneAtATime, mode.OneAtATimeBecause is { } why ? words.Live("live:because", why) : null,
            mode.TurnLength.TotalSeconds), LiveEventsJson.Default.KnobsEvent);
    }

    /// <summary>Turns a knob of the live session on both variants and tells every page.</summary>
    /// <exception cref="InvalidOperationException">No live session runs.</exception>
    internal async Task<LiveKnobChange> SetKnobAsync(string name, string value, CancellationToken ct)
    {
        LiveSession session;
        lock (_gate) session = _session ?? throw new InvalidOperationException("No live session runs: knobs turn in `workshop live`, not in a replay.");
        var change = await session.SetKnobAsync(name, value, ct);
        Publish("knob", new KnobChangedEvent(change.Name, change.Value, change.Label, change.AtSeconds, change.AppliedMs), LiveEventsJson.Default.KnobChangedEvent);
        return change;
    }

    /// <summary>One lab of `replay all` failed; the others go on.</summary>
    public void LabFailed(string lab, string message) => Publish("failed", new FailedEvent(lab, message), LiveEventsJson.Default.FailedEvent);

    /// <summary>
    /// The replay is over (<paramref name="reason"/>: finished, stopped or failed): the page says so and its stream
    /// ends. Later events are ignored.
    /// </summary>
    public void End(string reason, string message)
    {
        Publish("end", new EndEvent(reason, message), LiveEventsJson.Default.EndEvent);
        lock (_gate)
        {
            _ended = true;
            foreach (var page in _pages) page.Writer.TryComplete();
            _pages.Clear();
        }
    }

    public Task ServiceStartedAsync(string variant, LabService service, CancellationToken ct)
    {
        Publish("service", new ServiceEvent(variant, service.ProcessId, service.BaseAddress.ToString()), LiveEventsJson.Default.ServiceEvent);
        return Task.CompletedTask;
    }

    public Task LoadStartingAsync(string variant, LabService service, CancellationToken ct)
    {
        Publish("phase", new PhaseEvent(variant, "load", null), LiveEventsJson.Default.PhaseEvent);
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

    private void Publish<T>(string type, T data, JsonTypeInfo<T> contract)
    {
        var item = new SseItem<string>(JsonSerializer.Serialize(data, contract), type);
        lock (_gate)
        {
            if (_ended) return;
            _history.Add(item);
            foreach (var page in _pages) page.Writer.TryWrite(item);
        }
    }

    // The figures the page shows for a finished variant, straight from the run the JSON output is written from.
    private RunFigures Figures(VariantRun run) => new(
        run.Figures.ToDictionary(f => f.Key, f => Finite(f.Value), StringComparer.Ordinal),
        (_scenario?.LabMetrics ?? []).ToDictionary(m => m.Name, m => Finite(run.Figure(m.Key)), StringComparer.Ordinal));

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    private static string Word(Better better) => better == Better.Lower ? "lower" : "higher";
}
