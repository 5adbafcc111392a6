using System.ComponentModel.DataAnnotations;

namespace Lab05;

/// <summary>The incident knobs, read from the <c>Lab</c> section (environment: <c>Lab__LedgerLatencyMs=20</c>).</summary>
public sealed class LabOptions
{
    public const string Section = "Lab";

    /// <summary>How long a write to the ledger takes, in ms: the I/O every deposit and withdrawal waits for.</summary>
    [Range(0, 60_000)]
    public int LedgerLatencyMs { get; set; } = 20;

    /// <summary>What every account holds at start.</summary>
    [Range(0, 1_000_000)]
    public decimal InitialBalance { get; set; } = 100m;
}
