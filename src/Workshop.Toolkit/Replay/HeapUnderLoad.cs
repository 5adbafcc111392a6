namespace Workshop.Toolkit.Replay;

/// <summary>What <see cref="HeapUnderLoad.RunAsync"/> found.</summary>
/// <param name="Variant">The variant loaded.</param>
/// <param name="Load">The measured load between the two snapshots.</param>
/// <param name="Diff">The live heap after the load against the live heap before it, type by type.</param>
/// <param name="GcDumpReport">What <c>dotnet-gcdump report</c> printed for a dump taken after the load; null unless asked for.</param>
public sealed record HeapUnderLoadResult(string Variant, LoadResult Load, HeapDiff Diff, string? GcDumpReport)
{
    /// <summary>
    /// The types of which the load left at least one live object per request answered, by bytes grown: what grows
    /// with traffic. A leak's buffer and the objects on the path that holds it are here; a healthy service's caches,
    /// pools and JIT leftovers, which stop growing once warm, are not. Empty when nothing grows past that noise.
    /// </summary>
    public IReadOnlyList<HeapTypeGrowth> GrowingWithTraffic => Load.Completed > 0 ? Diff.GrewBy(Load.Completed) : [];

    /// <summary>Live bytes the load left per request answered (negative when the heap shrank).</summary>
    public double BytesPerRequest => Load.Completed > 0 ? (double)Diff.BytesGrowth / Load.Completed : 0;
}

/// <summary>
/// The heap hunt of a memory leak, from outside the service, as the notebooks and the incident reports run it:
/// start the variant, warm it up as the scenario does, snapshot its live heap, load it again, snapshot it
/// again and compare (the .NET <c>pprof -diff_base</c>). Optionally also runs the stock tool, <c>dotnet-gcdump</c>,
/// against the same process.
/// </summary>
public static class HeapUnderLoad
{
    /// <summary>Runs the hunt on one variant of the scenario's lab; the service is stopped afterwards.</summary>
    /// <param name="scenario">Whose knobs and load to use.</param>
    /// <param name="variant">"Broken", "Fixed", ...</param>
    /// <param name="scale">Multiplies the scenario's load between the snapshots (default 1).</param>
    /// <param name="gcdump">Also run <c>dotnet-gcdump collect</c> and <c>report</c> after the second snapshot.</param>
    /// <param name="ct">Cancels the hunt (the service is stopped).</param>
    public static async Task<HeapUnderLoadResult> RunAsync(LabScenario scenario, string variant, double scale = 1,
        bool gcdump = false, CancellationToken ct = default)
    {
        string? report = null;
        var snapshotsTaken = 0;
        var (before, load, after) = await AroundAsync(scenario, variant, scale, async (pid, token) =>
        {
            // The first snapshot of a process also builds what the runtime needs to be watched (event sources and their
            // metadata, read by reflection: hundreds of strings and method infos, kept), which the next snapshot would
            // count as growth: one is taken and thrown away before the one that counts.
            if (snapshotsTaken == 0) await HeapSnapshot.TakeAsync(pid, ct: token).ConfigureAwait(false);
            var snapshot = await HeapSnapshot.TakeAsync(pid, ct: token).ConfigureAwait(false);
            // The stock tool against the same process, after the second snapshot only.
            if (++snapshotsTaken == 2 && gcdump) report = await GcDump.CollectReportAsync(pid, token).ConfigureAwait(false);
            return snapshot;
        }, ct).ConfigureAwait(false);
        return new HeapUnderLoadResult(variant, load, HeapDiff.Between(before, after), report);
    }

    /// <summary>
    /// The shape of every heap hunt: start the variant, warm it up as the scenario does, <paramref name="measure"/> it,
    /// put the scenario's load on it, measure it again; the service is stopped afterwards.
    /// </summary>
    public static async Task<(T Before, LoadResult Load, T After)> AroundAsync<T>(LabScenario scenario, string variant, double scale,
        Func<int, CancellationToken, Task<T>> measure, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(measure);
        await using var context = await scenario.PrepareAsync(variant, scale, ct).ConfigureAwait(false);
        await using var service = await LabService.StartAsync(scenario.Folder, variant, context.Settings, ct).ConfigureAwait(false);
        await scenario.WarmUpAsync(service, context, ct).ConfigureAwait(false);
        var before = await measure(service.ProcessId, ct).ConfigureAwait(false);
        var load = await scenario.DriveAsync(service, context, null, ct).ConfigureAwait(false);
        var after = await measure(service.ProcessId, ct).ConfigureAwait(false);
        return (before, load, after);
    }
}
