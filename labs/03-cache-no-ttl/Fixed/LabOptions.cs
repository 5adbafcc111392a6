namespace Lab03;

/// <summary>The incident knobs, read from the <c>Lab</c> section (environment: <c>Lab__SourceLatencyMs=20</c>).</summary>
public sealed class LabOptions
{
    public const string Section = "Lab";

    /// <summary>How long the price store takes to answer one read or write.</summary>
    public int SourceLatencyMs { get; set; } = 20;

    /// <summary>How long a price read from the store may be served from the cache.</summary>
    public int CacheTtlSeconds { get; set; } = 300; // FIX: a cached price expires

    /// <summary>How many prices the cache holds at most.</summary>
    public int CacheSizeLimit { get; set; } = 2_000; // FIX: and the cache is bounded
}
