using System.Globalization;
using System.Text.RegularExpressions;
using Workshop.Toolkit.Replay;

namespace Workshop.Toolkit.Diagnostics;

/// <summary>Live objects of one type in a <see cref="LiveHeapReport"/>.</summary>
/// <param name="Type">The type, as dotnet-gcdump names it, e.g. <c>Lab03.Prices.Price</c>.</param>
/// <param name="Count">How many live objects of the type there are.</param>
/// <param name="Module">The assembly that defines it, e.g. <c>Lab03.Broken.dll</c>.</param>
public sealed record LiveHeapType(string Type, long Count, string Module);

/// <summary>A process's live heap after a full collection: its bytes, its objects, and the objects by type.</summary>
/// <param name="HeapBytes">Bytes of live objects.</param>
/// <param name="Objects">Live objects.</param>
/// <param name="Types">Every type found, most objects first.</param>
public sealed record LiveHeapReport(long HeapBytes, long Objects, IReadOnlyList<LiveHeapType> Types)
{
    /// <summary>The live objects of a type, by its exact name (0 when there are none).</summary>
    public long Count(string type) => Types.Where(t => t.Type == type).Sum(t => t.Count);
}

/// <summary>A variant's live heap before and after a scenario's load.</summary>
/// <param name="Variant">The variant replayed.</param>
/// <param name="Before">After start-up and a short warm-up.</param>
/// <param name="Load">The scenario's load.</param>
/// <param name="After">Right after the load.</param>
public sealed record LiveHeapAroundLoad(string Variant, LiveHeapReport Before, LoadResult Load, LiveHeapReport After)
{
    /// <summary>Bytes the service kept because of the load.</summary>
    public long Growth => After.HeapBytes - Before.HeapBytes;

    /// <summary>Objects of a type the service kept because of the load.</summary>
    public long Grown(string type) => After.Count(type) - Before.Count(type);
}

/// <summary>
/// What a process keeps, measured with <c>dotnet-gcdump</c> from the repository's tool manifest (<c>dotnet tool
/// restore</c> once first): the tool forces a full, blocking collection in the target and records what survived, by
/// type. Side effect worth knowing: right after it, the target's own heap gauges (<c>dotnet_gc_heap_size_bytes</c>)
/// read what it keeps rather than garbage waiting for a collection.
/// </summary>
public static partial class LiveHeap
{
    /// <summary>Dumps <paramref name="processId"/>'s heap with dotnet-gcdump and reads the report (see <see cref="GcDump.CollectReportAsync"/>).</summary>
    /// <exception cref="InvalidOperationException">The tool failed or is not restored.</exception>
    public static async Task<LiveHeapReport> MeasureAsync(int processId, CancellationToken ct = default) =>
        Parse(await GcDump.CollectReportAsync(processId, ct).ConfigureAwait(false));

    /// <summary>
    /// Starts <paramref name="variant"/> with the scenario's settings, warms it up as the scenario does, measures its
    /// live heap, puts the scenario's load on it (times <paramref name="scale"/>), and measures again: what the load
    /// made the service keep, by type, as dotnet-gcdump counts it (<see cref="HeapUnderLoad"/> does the same with ClrMD).
    /// </summary>
    public static async Task<LiveHeapAroundLoad> AroundLoadAsync(LabScenario scenario, string variant, double scale = 1, CancellationToken ct = default)
    {
        var (before, load, after) = await HeapUnderLoad.AroundAsync(scenario, variant, scale, MeasureAsync, ct).ConfigureAwait(false);
        return new LiveHeapAroundLoad(variant, before, load, after);
    }

    /// <summary>
    /// Reads the text of <c>dotnet-gcdump report</c>: the totals at the top, and a row per type (a type may take
    /// several rows, one per size class; their counts are added up). The rows' first column is left out: in this
    /// version of the tool it is the size of one object of the row, not the row's total.
    /// </summary>
    /// <exception cref="FormatException">The text has no "GC Heap bytes" line.</exception>
    public static LiveHeapReport Parse(string report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var bytes = Total().Match(report) is { Success: true } b
            ? Number(b.Groups["bytes"].Value)
            : throw new FormatException("No 'GC Heap bytes' line in the report.");
        var objects = Objects().Match(report) is { Success: true } o ? Number(o.Groups["objects"].Value) : 0;
        var types = TypeRow().Matches(report)
            .GroupBy(m => (Type: m.Groups["type"].Value.Trim(), Module: m.Groups["module"].Value))
            .Select(g => new LiveHeapType(g.Key.Type, g.Sum(m => Number(m.Groups["count"].Value)), g.Key.Module))
            .OrderByDescending(t => t.Count).ThenBy(t => t.Type, StringComparer.Ordinal)
            .ToList();
        return new LiveHeapReport(bytes, objects, types);
    }

    private static long Number(string text) => long.Parse(text.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*(?<bytes>[\d,]+)\s+GC Heap bytes", RegexOptions.Multiline)]
    private static partial Regex Total();

    [GeneratedRegex(@"^\s*(?<objects>[\d,]+)\s+GC Heap objects", RegexOptions.Multiline)]
    private static partial Regex Objects();

    // "         22   103,274  System.String  [System.Private.CoreLib.dll]", with "(Bytes > 10K)" after the type for big objects.
    [GeneratedRegex(@"^\s*[\d,]+\s+(?<count>[\d,]+)\s+(?<type>.+?)(\s+\(Bytes > [^)]*\))?\s+\[(?<module>[^\]]*)\]\s*$", RegexOptions.Multiline)]
    private static partial Regex TypeRow();
}
