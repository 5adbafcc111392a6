using System.ComponentModel.DataAnnotations;

namespace Lab08;

/// <summary>The incident knobs, read from the <c>Lab</c> section (environment: <c>Lab__TokensPerSecond=10</c>).</summary>
public sealed class LabOptions
{
    public const string Section = "Lab";

    /// <summary>Requests a second each caller may make, on average.</summary>
    [Range(1, 100_000)]
    public int TokensPerSecond { get; set; } = 10;

    /// <summary>Requests a caller may make at once, above the average, before it has to wait.</summary>
    [Range(1, 100_000)]
    public int Burst { get; set; } = 50;

    /// <summary>The CPU work of one lookup: the iterations of the caller check (PBKDF2-SHA256), about a microsecond each.</summary>
    [Range(1, 10_000_000)]
    public int WorkFactor { get; set; } = 2_000;
}
