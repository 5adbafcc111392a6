namespace Lab01;

/// <summary>The incident knobs, read from the <c>Lab</c> section (environment: <c>Lab__LogSinkDelayMs=100</c>).</summary>
public sealed class LabOptions
{
    public const string Section = "Lab";

    /// <summary>How long every write that reaches the log file stalls, standing in for a slow disk.</summary>
    public int LogSinkDelayMs { get; set; } = 100;

    /// <summary>Where the request log files go.</summary>
    public string LogDirectory { get; set; } = "logs";
}
