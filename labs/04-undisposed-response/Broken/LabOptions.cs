namespace Lab04;

/// <summary>The incident knobs, read from the <c>Lab</c> section (environment: <c>Lab__DownstreamUrl=http://...</c>).</summary>
public sealed class LabOptions
{
    public const string Section = "Lab";

    /// <summary>The weather provider's base address.</summary>
    public string DownstreamUrl { get; set; } = "http://127.0.0.1:5400";

    /// <summary>How many connections to the provider may be open at once; 0 for no cap (the handler's default).</summary>
    public int MaxConnectionsPerServer { get; set; }

    /// <summary>How long a call to the provider may take.</summary>
    public int DownstreamTimeoutMs { get; set; } = 5_000;
}
