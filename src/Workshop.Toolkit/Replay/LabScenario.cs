using System.Globalization;

namespace Workshop.Toolkit.Replay;

/// <summary>Which way a headline measure improves.</summary>
public enum Better
{
    /// <summary>Smaller is better (latency, memory).</summary>
    Lower,

    /// <summary>Larger is better (throughput, successes).</summary>
    Higher,
}

/// <summary>How a /metrics series sampled during a run becomes one figure.</summary>
public enum MetricSummary
{
    /// <summary>The last value: a counter's total.</summary>
    Last,

    /// <summary>The highest value: a gauge such as a queue length or a cache's entries.</summary>
    Peak,
}

/// <summary>
/// A lab figure read from the services' /metrics: its Prometheus name (summed over labels), the words a table shows
/// for it, and how its samples become one figure. <paramref name="Variants"/> names the variants that export it
/// (null: every variant); a variant that should and does not is an error naming the metric, never a blank cell.
/// </summary>
public sealed record LabMetric(string Name, string Label, MetricSummary Summary = MetricSummary.Last, IReadOnlyList<string>? Variants = null)
{
    /// <summary>The key of its figure in <see cref="VariantRun.Figures"/>: the name for a counter, name + "_peak" for a gauge.</summary>
    public string Key => Summary == MetricSummary.Peak ? Name + "_peak" : Name;

    /// <summary>True when <paramref name="variant"/> is expected to export it.</summary>
    public bool AppliesTo(string variant) => Variants is null || Variants.Contains(variant, StringComparer.OrdinalIgnoreCase);
}

/// <summary>A row of a replay table: a figure key and the words (with the unit) that describe it.</summary>
public sealed record FigureRow(string Key, string Label);

/// <summary>
/// The one number a replay is about: a figure of <see cref="VariantRun.Figures"/> whose Broken value follows from the
/// incident's mechanism and whose Fixed value follows from the fix's bound. <paramref name="Unit"/> is one unit of the
/// measure (1 request a second, 1 KB per request, 1 entry): a value below it counts as one unit for the ratio, so a
/// Fixed figure of zero gives a finite ratio, shown as "at least".
/// </summary>
/// <param name="Figure">The key of the figure compared.</param>
/// <param name="Label">The measure in words, with its unit: "requests completed per second".</param>
/// <param name="Better">Which way is better.</param>
/// <param name="Unit">One unit of the measure, in the figure's own scale.</param>
/// <param name="Sentence">What the numbers mean and what the fix costs, from the headline and both runs.</param>
public sealed record HeadlineSpec(string Figure, string Label, Better Better, double Unit, Func<Headline, VariantRun, VariantRun, string> Sentence);

/// <summary>The headline of a replay: how Broken and Fixed compare on one measure.</summary>
/// <param name="Metric">The figure compared.</param>
/// <param name="Label">The measure in words.</param>
/// <param name="Better">Which way is better.</param>
/// <param name="Broken">Broken's value.</param>
/// <param name="Fixed">Fixed's value.</param>
/// <param name="Ratio">How many times better Fixed is, above 1 when the fix helps.</param>
/// <param name="AtLeast">True when the better side measured under one unit, so the ratio is a lower bound.</param>
public sealed record Headline(string Metric, string Label, Better Better, double Broken, double Fixed, double Ratio, bool AtLeast)
{
    /// <summary>"at least 128x" or "20.4x".</summary>
    public string RatioText => double.IsFinite(Ratio)
        ? (AtLeast ? "at least " : "") + Ratio.ToString(Ratio >= 100 ? "N0" : "N1", CultureInfo.InvariantCulture) + "x"
        : "-";

    /// <summary>Compares two values of a measure.</summary>
    public static Headline Of(HeadlineSpec spec, double broken, double @fixed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var better = spec.Better == Better.Lower ? @fixed : broken;
        var b = Math.Max(broken, spec.Unit);
        var f = Math.Max(@fixed, spec.Unit);
        var ratio = spec.Better == Better.Lower ? b / f : f / b;
        return new Headline(spec.Figure, spec.Label, spec.Better, broken, @fixed, Math.Round(ratio, 1), AtLeast: better < spec.Unit);
    }
}

/// <summary>
/// Settings and resources one variant's run needs (temporary folders, downstream fakes), released after it, and the
/// figures the scenario measures itself (a probe's verdicts), which join the run's figures.
/// </summary>
public sealed class ScenarioContext(string variant, IReadOnlyDictionary<string, string> settings, double scale = 1) : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _resources = [];

    /// <summary>The variant this context is for.</summary>
    public string Variant { get; } = variant;

    /// <summary>Configuration passed to the service (knobs as <c>Lab:Name</c> keys).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; } = settings;

    /// <summary>Multiplies the scenario's load (its duration or its request count): 1 is the replay as designed.</summary>
    public double Scale { get; } = scale > 0 && double.IsFinite(scale) ? scale : throw new ArgumentOutOfRangeException(nameof(scale), scale, "A replay needs a positive scale.");

    /// <summary>Figures the scenario measured itself, by key; they join <see cref="VariantRun.Figures"/>.</summary>
    public Dictionary<string, double> Figures { get; } = new(StringComparer.Ordinal);

    /// <summary><paramref name="count"/> scaled, at least 1.</summary>
    public long Scaled(long count) => Math.Max(1, (long)Math.Round(count * Scale));

    /// <summary><paramref name="duration"/> scaled.</summary>
    public TimeSpan Scaled(TimeSpan duration) => duration * Scale;

    /// <summary>Releases <paramref name="resource"/> when the run ends.</summary>
    public T Own<T>(T resource) where T : IAsyncDisposable
    {
        _resources.Add(resource);
        return resource;
    }

    /// <summary>The resource of type <typeparamref name="T"/> this context owns (a downstream fake started for the run).</summary>
    /// <exception cref="InvalidOperationException">It owns none.</exception>
    public T Owned<T>() where T : IAsyncDisposable =>
        _resources.OfType<T>().FirstOrDefault() ?? throw new InvalidOperationException($"The {Variant} run owns no {typeof(T).Name}; PrepareAsync should start one.");

    /// <summary>A temporary folder removed when the run ends.</summary>
    public string TempDirectory(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        Own(new DeleteOnDispose(path));
        return path;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        for (var i = _resources.Count - 1; i >= 0; i--) await _resources[i].DisposeAsync().ConfigureAwait(false);
        _resources.Clear();
    }

    private sealed class DeleteOnDispose(string path) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            try { Directory.Delete(path, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>
/// How one lab is replayed: the knobs that reproduce its incident, the load that shows it, the figures that measure
/// it and the headline that sums it up. Each lab writes one, in <c>labs/NN-name/Replay/</c>; <see cref="Scenarios"/>
/// finds it there, and the CLI and the notebook both use it.
/// </summary>
public abstract class LabScenario
{
    /// <summary>The lab's folder name, e.g. <c>01-logging-blocking</c>.</summary>
    public abstract string Lab { get; }

    /// <summary>The two-digit id, e.g. <c>01</c>.</summary>
    public string Id => Lab[..2];

    /// <summary>The lab folder this scenario was loaded from (set by <see cref="Scenarios"/>); its services start from there.</summary>
    public LabInfo Folder
    {
        get => _folder ?? Labs.Find(Lab);
        internal set => _folder = value;
    }

    private LabInfo? _folder;

    /// <summary>A short title.</summary>
    public abstract string Title { get; }

    /// <summary>The symptom in one line.</summary>
    public abstract string Symptom { get; }

    /// <summary>The conditions of the replay in one line (knobs, clients, requests), for chart subtitles and tables.</summary>
    public abstract string Conditions(double scale);

    /// <summary>
    /// The requests <see cref="DriveAsync"/> sends at scale 1 when its load is a count of requests (null when it runs
    /// for a time instead): how a command asked for N requests turns them into a scale.
    /// </summary>
    public virtual long? RequestCount => null;

    /// <summary>The lab's own /metrics figures sampled during the run.</summary>
    public virtual IReadOnlyList<LabMetric> LabMetrics => [];

    /// <summary>
    /// The rows a table shows first, after the headline: the figures that tell this incident (lab metrics, the
    /// scenario's own, the common ones that matter here), in words.
    /// </summary>
    public virtual IReadOnlyList<FigureRow> KeyRows => [];

    /// <summary>Broken variants besides <c>Broken</c> that a walkthrough may replay (lab 01's naive fix).</summary>
    public virtual IReadOnlyList<string> ExtraVariants => [];

    /// <summary>
    /// True when the replay forces a full garbage collection in the service before and after the load, so that its
    /// heap figures are what survives (<c>heap_retained_bytes</c>), not garbage waiting for a collection.
    /// </summary>
    public virtual bool MeasuresRetainedHeap => false;

    /// <summary>What the replay is about.</summary>
    public abstract HeadlineSpec Headline { get; }

    /// <summary>
    /// The scenario's words in Simplified Chinese, which `workshop --lang zh-CN` shows; null where the lab has none yet
    /// (its English words are shown).
    /// </summary>
    public virtual ScenarioText? Chinese => null;

    /// <summary>Settings and resources for one variant's run; the default sets none.</summary>
    public virtual Task<ScenarioContext> PrepareAsync(string variant, double scale, CancellationToken ct) =>
        Task.FromResult(new ScenarioContext(variant, new Dictionary<string, string>(), scale));

    /// <summary>Load before the measured one (JIT, pools, caches settle); the default sends none.</summary>
    public virtual Task WarmUpAsync(LabService service, ScenarioContext context, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Puts the lab's load on a running service; figures the scenario measures itself go to <see cref="ScenarioContext.Figures"/>.</summary>
    public abstract Task<LoadResult> DriveAsync(LabService service, ScenarioContext context, IProgress<LoadProgress>? progress, CancellationToken ct);

    /// <summary>How <c>workshop live</c> runs this lab: its knobs and its steady load. Null (the default): the lab has no live mode.</summary>
    public virtual LiveMode? Live => null;

    /// <summary>
    /// The live mode's steady load on one variant, until <paramref name="ct"/> is cancelled (then it returns or throws
    /// <see cref="OperationCanceledException"/>): the same traffic on both variants, reading the <see cref="KnobTarget.Load"/>
    /// knobs from <paramref name="knobs"/> on every request, reporting progress once a second.
    /// </summary>
    public virtual Task DriveLiveAsync(LabService service, ScenarioContext context, LiveKnobValues knobs, IProgress<LoadProgress> progress, CancellationToken ct) =>
        throw new NotSupportedException($"Lab {Lab} has no live mode.");

    /// <summary>
    /// Sets an <see cref="KnobTarget.Environment"/> knob for one variant's run (its downstream fake, say). Service knobs
    /// the session sets itself, through the services' knob endpoint; load knobs the live drive reads.
    /// </summary>
    public virtual Task ApplyLiveKnobAsync(LiveKnob knob, string value, ScenarioContext context, CancellationToken ct) =>
        throw new NotSupportedException($"Lab {Lab} declares the environment knob {knob?.Name} but does not apply it (override ApplyLiveKnobAsync).");

    /// <summary>
    /// Figures computed from the others once the run is over (a rate, a figure per request); the headline's figure is
    /// often one of them. The default adds none.
    /// </summary>
    public virtual void Derive(string variant, LoadResult load, IDictionary<string, double> figures)
    {
    }
}
