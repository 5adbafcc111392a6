namespace Workshop.Cli.Infrastructure;

/// <summary>The exit codes every verb uses, so scripts can tell a red spec from a typo.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The work ran and the answer is "no": a red spec, a failed required check, a replay that failed.</summary>
    public const int Failed = 1;

    /// <summary>Bad arguments: unknown verb or lab, a negative duration, a missing value.</summary>
    public const int Usage = 2;

    /// <summary>Stopped by Ctrl+C (128 + SIGINT), as shells report it.</summary>
    public const int Interrupted = 130;
}

/// <summary>A bad argument found while a command runs; reported in one line with exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
