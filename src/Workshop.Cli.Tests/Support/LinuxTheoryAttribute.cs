namespace Workshop.Cli.Tests.Support;

/// <summary>A test that reads /proc and sends POSIX signals: skipped, and said so, anywhere but Linux.</summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "Needs /proc and POSIX signals (Linux).";
    }
}
