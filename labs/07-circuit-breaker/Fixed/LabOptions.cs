using System.ComponentModel.DataAnnotations;

namespace Lab07;

/// <summary>The incident knobs, read from the <c>Lab</c> section (environment: <c>Lab__PaymentUrl=http://...</c>).</summary>
public sealed class LabOptions
{
    public const string Section = "Lab";

    /// <summary>The payment provider's base address.</summary>
    [Required]
    public string PaymentUrl { get; set; } = "http://127.0.0.1:5500";

    /// <summary>How long the shop waits for the payment provider.</summary>
    [Range(1, 600_000)]
    public int PaymentTimeoutMs { get; set; } = 10_000;

    /// <summary>How long one attempt at the payment provider may take.</summary>
    [Range(1, 600_000)]
    public int AttemptTimeoutMs { get; set; } = 2_000; // FIX: each try of the pipeline is timed on its own

    /// <summary>How long calls to the payment provider stop once it is judged down.</summary>
    [Range(1, 3_600)]
    public int BreakDurationSeconds { get; set; } = 30; // FIX: the breaker's pause

    /// <summary>Connections in the database pool, which the catalog, checkout and the health check share.</summary>
    [Range(1, 1_000)]
    public int DbPoolSize { get; set; } = 10;

    /// <summary>How long a caller waits for a free database connection before giving up (Npgsql's Timeout, 15 s).</summary>
    [Range(1, 600_000)]
    public int DbWaitTimeoutMs { get; set; } = 15_000;
}
