using System.ComponentModel.DataAnnotations;

namespace Lab06;

/// <summary>The incident knobs, read from the <c>Lab</c> section (environment: <c>Lab__WorkFactor=2000</c>).</summary>
public sealed class LabOptions
{
    public const string Section = "Lab";

    /// <summary>The CPU work of one lookup: the iterations of the caller check (PBKDF2-SHA256), about a microsecond each.</summary>
    [Range(1, 10_000_000)]
    public int WorkFactor { get; set; } = 2_000;
}
