namespace Workshop.Toolkit.Replay;

/// <summary>Which way a headline measure improves.</summary>
public enum Better
{
    /// <summary>Smaller is better (latency, memory).</summary>
    Lower,

    /// <summary>Larger is better (throughput, successes).</summary>
    Higher,
}

/// <summary>
/// The one number a replay is about. <paramref name="Metric"/> names a key of <see cref="VariantRun.Figures"/>;
/// <paramref name="Floor"/> keeps the ratio finite when a fixed service measures zero (1 ms of latency, 1 MB of
/// growth: whatever is too small to mean anything for this measure).
/// </summary>
public sealed record HeadlineSpec(string Metric, Better Better, double Floor, Func<Headline, string> Sentence);

/// <summary>The headline of a replay: how Broken and Fixed compare on one measure.</summary>
/// <param name="Metric">The figure compared, e.g. <c>p99_ms</c>.</param>
/// <param name="Better">Which way is better.</param>
/// <param name="Broken">Broken's value.</param>
/// <param name="Fixed">Fixed's value.</param>
/// <param name="Ratio">How many times better Fixed is, always above 1 when the fix helps.</param>
public sealed record Headline(string Metric, Better Better, double Broken, double Fixed, double Ratio)
{
    internal static Headline Of(HeadlineSpec spec, double broken, double @fixed)
    {
        var b = Math.Max(broken, spec.Floor);
        var f = Math.Max(@fixed, spec.Floor);
        var ratio = spec.Better == Better.Lower ? b / f : f / b;
        return new Headline(spec.Metric, spec.Better, broken, @fixed, Math.Round(ratio, 1));
    }
}

/// <summary>Settings and resources one variant's run needs (temporary folders, downstream fakes), released after it.</summary>
public sealed class ScenarioContext(IReadOnlyDictionary<string, string> settings) : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _resources = [];

    /// <summary>Configuration passed to the service (knobs as <c>Lab:Name</c> keys).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; } = settings;

    /// <summary>Releases <paramref name="resource"/> when the run ends.</summary>
    public T Own<T>(T resource) where T : IAsyncDisposable
    {
        _resources.Add(resource);
        return resource;
    }

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
/// How one lab is replayed: the knobs that reproduce its incident, the load that shows it, the figures that
/// measure it and the headline that sums it up. Written once per lab; the CLI and the notebook both use it.
/// </summary>
public abstract class LabScenario
{
    /// <summary>The lab's folder name, e.g. <c>01-logging-blocking</c>.</summary>
    public abstract string Lab { get; }

    /// <summary>The two-digit id, e.g. <c>01</c>.</summary>
    public string Id => Lab[..2];

    /// <summary>A short title.</summary>
    public abstract string Title { get; }

    /// <summary>The symptom in one line.</summary>
    public abstract string Symptom { get; }

    /// <summary>How long the load runs against each variant by default.</summary>
    public abstract TimeSpan DefaultDuration { get; }

    /// <summary>The lab's own /metrics figures sampled during the run (summed over labels).</summary>
    public virtual IReadOnlyList<string> LabMetrics => [];

    /// <summary>Broken variants besides <c>Broken</c> that a walkthrough may replay (lab 01's naive fix).</summary>
    public virtual IReadOnlyList<string> ExtraVariants => [];

    /// <summary>What the replay is about.</summary>
    public abstract HeadlineSpec Headline { get; }

    /// <summary>Settings and resources for one variant's run; the default creates none.</summary>
    public virtual Task<ScenarioContext> PrepareAsync(string variant, CancellationToken ct) =>
        Task.FromResult(new ScenarioContext(new Dictionary<string, string>()));

    /// <summary>Puts the lab's load on a running service for <paramref name="duration"/>.</summary>
    public abstract Task<LoadResult> DriveAsync(LabService service, TimeSpan duration, IProgress<LoadProgress>? progress, CancellationToken ct);
}
