using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;

namespace Workshop.Toolkit.Replay;

/// <summary>A knob turned in a live session: what, to which position, when, and how long each service took to take it.</summary>
/// <param name="Name">The knob.</param>
/// <param name="Value">Its new value.</param>
/// <param name="Label">The position's words.</param>
/// <param name="AtSeconds">Seconds since the session's load began.</param>
/// <param name="AppliedMs">Per variant, how long setting it took, in ms (a starved service takes its knobs late too).</param>
public sealed record LiveKnobChange(string Name, string Value, string Label, double AtSeconds, IReadOnlyDictionary<string, double> AppliedMs);

/// <summary>
/// <c>workshop live</c>'s engine: Broken and Fixed started side by side with the lab's knobs at their initial
/// positions (the incident off), the same steady load on both, their /metrics sampled, and knobs turned on both while
/// they run (service knobs through each service's <c>/workshop/knobs</c>, environment knobs by the scenario, load knobs
/// in the drive). Where the lab says the two would spoil each other's figures, the load goes to one at a time, in turns.
/// Disposing stops everything it started.
/// </summary>
public sealed class LiveSession : IAsyncDisposable
{
    /// <summary>The variants, in the order the page and the tables show them.</summary>
    public static readonly IReadOnlyList<string> Variants = ["Broken", "Fixed"];

    /// <summary>How long a service may take to take a knob before the change is reported as failed.</summary>
    public static readonly TimeSpan KnobTimeout = TimeSpan.FromSeconds(30);

    private readonly LabScenario _scenario;
    private readonly List<Side> _sides;
    private readonly LiveKnobValues _knobs;
    private readonly SemaphoreSlim _turning = new(1, 1);
    private readonly Stopwatch _clock = new();

    private LiveSession(LabScenario scenario, LiveMode mode, List<Side> sides)
    {
        _scenario = scenario;
        Mode = mode;
        _sides = sides;
        _knobs = new LiveKnobValues(mode.Knobs);
    }

    /// <summary>The lab's live mode.</summary>
    public LiveMode Mode { get; }

    /// <summary>The lab's scenario.</summary>
    public LabScenario Scenario => _scenario;

    /// <summary>Each knob's value now.</summary>
    public IReadOnlyDictionary<string, string> Knobs => _knobs.All;

    /// <summary>The running services, Broken first.</summary>
    public IReadOnlyList<LabService> Services => [.. _sides.Select(s => s.Service)];

    /// <summary>Seconds since the load began (0 before <see cref="RunAsync"/>).</summary>
    public double Seconds => _clock.Elapsed.TotalSeconds;

    /// <summary>The labs of this repository that have a live mode, as ids.</summary>
    public static async Task<IReadOnlyList<string>> LabsWithLiveModeAsync(CancellationToken ct)
    {
        var ids = new List<string>();
        foreach (var lab in Scenarios.Replayable())
        {
            if ((await Scenarios.LoadAsync(lab, ct).ConfigureAwait(false)).Live is not null) ids.Add(lab.Id);
        }
        return ids;
    }

    /// <summary>Starts Broken and Fixed with the knobs at their initial positions; no load yet.</summary>
    /// <exception cref="ArgumentException">The lab has no live mode.</exception>
    public static async Task<LiveSession> StartAsync(LabScenario scenario, IReplayObserver? observer = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var mode = scenario.Live ?? throw new ArgumentException(
            $"Lab {scenario.Id} has no live mode yet (its scenario in labs/{scenario.Lab}/Replay/ declares no Live); replay it instead: workshop replay {scenario.Id} --live.",
            nameof(scenario));
        var sides = new List<Side>();
        try
        {
            foreach (var variant in Variants)
            {
                var context = await scenario.PrepareAsync(variant, 1, ct).ConfigureAwait(false);
                // The knobs go through a port the service serves on a thread of its own: a starved service takes them too.
                var controlPort = FreeLoopbackPort();
                var settings = new Dictionary<string, string>(context.Settings, StringComparer.OrdinalIgnoreCase)
                {
                    ["Workshop:Control"] = "true",
                    ["Workshop:ControlPort"] = controlPort.ToString(CultureInfo.InvariantCulture),
                };
                foreach (var knob in mode.Knobs.Where(k => k.Target == KnobTarget.Service)) settings[$"Lab:{knob.Name}"] = knob.Initial;
                LabService service;
                try
                {
                    service = await LabService.StartAsync(scenario.Folder, variant, settings, ct).ConfigureAwait(false);
                }
                catch
                {
                    await context.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
                var side = new Side(variant, context, service, controlPort);
                sides.Add(side);
                foreach (var knob in mode.Knobs.Where(k => k.Target == KnobTarget.Environment))
                {
                    await scenario.ApplyLiveKnobAsync(knob, knob.Initial, context, ct).ConfigureAwait(false);
                }
                if (observer is not null) await observer.ServiceStartedAsync(variant, service, ct).ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (var side in sides) await side.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new LiveSession(scenario, mode, sides);
    }

    /// <summary>
    /// Puts the steady load on both variants (or on each in turn) and reports a sample per variant each second, until
    /// <paramref name="duration"/> has passed or <paramref name="ct"/> is cancelled. Returns normally in both cases.
    /// </summary>
    public async Task RunAsync(IProgress<ReplayProgress> progress, TimeSpan duration, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(progress);
        using var end = CancellationTokenSource.CreateLinkedTokenSource(ct);
        end.CancelAfter(duration);
        _clock.Start();
        foreach (var side in _sides) side.StartSampling(_scenario);
        if (!Mode.OneAtATime)
        {
            foreach (var side in _sides) progress.Report(new ReplayProgress(side.Variant, "load", null, null, null));
            await Task.WhenAll(_sides.Select(s => DriveAsync(s, progress, end.Token))).ConfigureAwait(false);
            return;
        }

        while (!end.IsCancellationRequested)
        {
            foreach (var side in _sides)
            {
                if (end.IsCancellationRequested) break;
                foreach (var other in _sides.Where(o => o != side)) progress.Report(new ReplayProgress(other.Variant, "waiting", null, null, null));
                progress.Report(new ReplayProgress(side.Variant, "load", null, null, null));
                using var turn = CancellationTokenSource.CreateLinkedTokenSource(end.Token);
                turn.CancelAfter(Mode.TurnLength);
                await DriveAsync(side, progress, turn.Token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Turns a knob on both variants; returns when both have taken it.</summary>
    /// <exception cref="ArgumentException">No such knob, or no such position of it.</exception>
    /// <exception cref="InvalidOperationException">A service refused it or did not take it within <see cref="KnobTimeout"/>.</exception>
    public async Task<LiveKnobChange> SetKnobAsync(string name, string value, CancellationToken ct)
    {
        var knob = Mode.Knobs.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase))
                   ?? throw new ArgumentException($"Lab {_scenario.Id} has no live knob '{name}'; its knobs: {string.Join(", ", Mode.Knobs.Select(k => k.Name))}.", nameof(name));
        var setting = knob.Setting(value)
                      ?? throw new ArgumentException($"{knob.Name} takes {string.Join(", ", knob.Settings.Select(s => s.Value))}, not '{value}'.", nameof(value));
        await _turning.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var at = Seconds;
            var applied = await Task.WhenAll(_sides.Select(async side =>
            {
                var started = Stopwatch.GetTimestamp();
                switch (knob.Target)
                {
                    case KnobTarget.Service:
                        await side.PutKnobAsync(knob.Name, setting.Value, ct).ConfigureAwait(false);
                        break;
                    case KnobTarget.Environment:
                        await _scenario.ApplyLiveKnobAsync(knob, setting.Value, side.Context, ct).ConfigureAwait(false);
                        break;
                }
                return (side.Variant, Ms: Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1));
            })).ConfigureAwait(false);
            _knobs.Set(knob.Name, setting.Value);
            return new LiveKnobChange(knob.Name, setting.Value, setting.Label, Math.Round(at, 1), applied.ToDictionary(a => a.Variant, a => a.Ms, StringComparer.Ordinal));
        }
        finally
        {
            _turning.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var side in _sides) await side.DisposeAsync().ConfigureAwait(false);
        _sides.Clear();
        _turning.Dispose();
    }

    private async Task DriveAsync(Side side, IProgress<ReplayProgress> progress, CancellationToken ct)
    {
        var before = side.Totals;
        var relay = new Relay(l =>
        {
            var load = l with
            {
                Elapsed = _clock.Elapsed,
                Completed = before.Completed + l.Completed,
                Errors = before.Errors + l.Errors,
                Timeouts = before.Timeouts + l.Timeouts,
            };
            side.Totals = (load.Completed, load.Errors, load.Timeouts);
            progress.Report(side.Sample(load));
        });
        try
        {
            await _scenario.DriveLiveAsync(side.Service, side.Context, _knobs, relay, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The session or the turn is over.
        }
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    private sealed class Side(string variant, ScenarioContext context, LabService service, int controlPort) : IAsyncDisposable
    {
        private readonly HttpClient _control = new(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{controlPort.ToString(CultureInfo.InvariantCulture)}/"),
            Timeout = KnobTimeout,
        };
        private readonly MetricsReader _reader = new(service.BaseAddress) { Timeout = TimeSpan.FromSeconds(15) };
        private readonly Stopwatch _sampling = new();
        private MetricsSampler? _sampler;
        private IReadOnlyList<string> _labMetrics = [];

        public string Variant { get; } = variant;

        public ScenarioContext Context { get; } = context;

        public LabService Service { get; } = service;

        public (long Completed, long Errors, long Timeouts) Totals { get; set; }

        public void StartSampling(LabScenario scenario)
        {
            _labMetrics = [.. scenario.LabMetrics.Where(m => m.AppliesTo(Variant)).Select(m => m.Name)];
            _sampling.Start();
            _sampler = MetricsSampler.Start(_reader, TimeSpan.FromMilliseconds(500), [Replayer.HeapMetric, Replayer.QueueMetric, .. _labMetrics]);
        }

        public ReplayProgress Sample(LoadProgress load)
        {
            var sampler = _sampler!;
            return new ReplayProgress(Variant, "load", load, sampler.Last(Replayer.HeapMetric), sampler.Last(Replayer.QueueMetric))
            {
                LabMetrics = _labMetrics.Select(m => (Name: m, Value: sampler.Last(m))).Where(f => f.Value is not null)
                    .ToDictionary(f => f.Name, f => f.Value!.Value, StringComparer.Ordinal),
                MetricsAgeSeconds = sampler.Series(Replayer.HeapMetric) is { Count: > 0 } heap
                    ? Math.Max(0, _sampling.Elapsed.TotalSeconds - heap[^1].SecondsSinceStart)
                    : null,
            };
        }

        public async Task PutKnobAsync(string name, string value, CancellationToken ct)
        {
            using var answer = await _control.PutAsJsonAsync("workshop/knobs", new Dictionary<string, string> { [name] = value }, ct).ConfigureAwait(false);
            if (!answer.IsSuccessStatusCode)
            {
                var body = await answer.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"{Service.Lab} {Variant} refused {name}={value}: {(int)answer.StatusCode} {body}"));
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_sampler is not null) await _sampler.DisposeAsync().ConfigureAwait(false);
            await Service.DisposeAsync().ConfigureAwait(false);
            await Context.DisposeAsync().ConfigureAwait(false);
            _control.Dispose();
            _reader.Dispose();
        }
    }

    // Progress<T> posts to the thread pool; the page wants the sample now, on the reporting thread.
    private sealed class Relay(Action<LoadProgress> report) : IProgress<LoadProgress>
    {
        public void Report(LoadProgress value) => report(value);
    }
}
