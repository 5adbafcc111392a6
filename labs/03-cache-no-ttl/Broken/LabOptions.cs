namespace Lab03;

/// <summary>The incident knobs, read from the <c>Lab</c> section (environment: <c>Lab__SourceLatencyMs=20</c>).</summary>
public sealed class LabOptions
{
    public const string Section = "Lab";

    /// <summary>How long the price store takes to answer one read or write.</summary>
    public int SourceLatencyMs { get; set; } = 20;
}
