using System.ComponentModel.DataAnnotations;

namespace Lab02;

/// <summary>The incident knobs, read from the <c>Lab</c> section (environment: <c>Lab__ReportSizeKb=128</c>).</summary>
public sealed class LabOptions
{
    public const string Section = "Lab";

    /// <summary>The size of one rendered report, in KB: the buffer each request builds and sends.</summary>
    [Range(1, 16_384)]
    public int ReportSizeKb { get; set; } = 128;

    /// <summary>How long the warehouse query behind a report takes, in ms, before its rows come back.</summary>
    [Range(0, 600_000)]
    public int QueryDelayMs { get; set; }
}
