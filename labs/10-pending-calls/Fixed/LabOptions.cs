using System.ComponentModel.DataAnnotations;

namespace Lab10;

/// <summary>The incident knobs, read from the <c>Lab</c> section (environment: <c>Lab__Inventory=127.0.0.1:5091</c>).</summary>
public sealed class LabOptions
{
    public const string Section = "Lab";

    /// <summary>The inventory backend's protocol endpoint, <c>host:port</c>: one TCP connection carries every call.</summary>
    [Required]
    [RegularExpression(@"^[^:\s]+:\d{1,5}$")]
    public string Inventory { get; set; } = "127.0.0.1:5091";

    // FIX: how long a call may wait for its answer before its entry is removed and its caller told (504).
    /// <summary>Milliseconds a call waits for the inventory's answer.</summary>
    [Range(1, 600_000)]
    public int CallTimeoutMs { get; set; } = 2_000;

    // FIX: the most calls waiting at once; past it a caller is refused at once (503) rather than queued without end.
    /// <summary>Calls that may wait for an answer at once.</summary>
    [Range(1, 1_000_000)]
    public int MaxPendingCalls { get; set; } = 1_000;
}
