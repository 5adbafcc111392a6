using System.Globalization;

namespace Workshop.TestKit;

/// <summary>Percentiles of a set of latencies (nearest-rank), printed in milliseconds for failure messages.</summary>
public sealed record LatencySummary(int Count, TimeSpan P50, TimeSpan P95, TimeSpan P99, TimeSpan Max)
{
    public static LatencySummary Of(IEnumerable<TimeSpan> latencies)
    {
        var sorted = latencies.OrderBy(l => l).ToArray();
        if (sorted.Length == 0) return new LatencySummary(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        return new LatencySummary(sorted.Length, Percentile(sorted, 50), Percentile(sorted, 95), Percentile(sorted, 99), sorted[^1]);
    }

    /// <summary>Nearest-rank percentile of an ascending array.</summary>
    public static TimeSpan Percentile(IReadOnlyList<TimeSpan> ascending, double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        if (ascending.Count == 0) return TimeSpan.Zero;
        var rank = (int)Math.Ceiling(percentile / 100 * ascending.Count);
        return ascending[Math.Clamp(rank - 1, 0, ascending.Count - 1)];
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"p50 {P50.TotalMilliseconds:N0} ms, p95 {P95.TotalMilliseconds:N0} ms, p99 {P99.TotalMilliseconds:N0} ms, max {Max.TotalMilliseconds:N0} ms over {Count} requests");
}
