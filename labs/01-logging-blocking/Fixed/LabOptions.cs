namespace Lab01;

/// <summary>The incident knobs, read from the <c>Lab</c> section (environment: <c>Lab__LogSinkDelayMs=100</c>).</summary>
public sealed class LabOptions
{
    public const string Section = "Lab";

    /// <summary>How long every write that reaches the log file stalls, standing in for a slow disk.</summary>
    public int LogSinkDelayMs { get; set; } = 100;

    /// <summary>Where the request log files go.</summary>
    public string LogDirectory { get; set; } = "logs";

    /// <summary>How large a request log file may grow, in bytes (operations' policy for the log volume).</summary>
    public long LogFileSizeLimitBytes { get; set; } = 10 * 1024 * 1024; // FIX: the rolling file sink enforces the volume's policy

    /// <summary>How many request log files may be kept on the log volume (operations' policy).</summary>
    public int LogRetainedFiles { get; set; } = 10; // FIX: so does its retention
}
