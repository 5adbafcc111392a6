using System.Runtime.CompilerServices;
using Xunit.Sdk;

namespace Workshop.TestKit;

/// <summary>
/// The incident's own assertion. An incident test measures the symptom and states, through this class, that it is
/// absent; in verify mode a broken variant counts as reproduced only when this assertion fails, never when a helper's
/// or the setup's does. The message is the one sentence a learner reads: what was measured, in numbers, and the bound.
/// </summary>
public static class Symptom
{
    /// <summary>Passes when <paramref name="absent"/> is true; otherwise fails the test with <paramref name="message"/> as it is.</summary>
    /// <param name="absent">True when the service does not show the symptom.</param>
    /// <param name="message">One sentence with the numbers: "p95 latency 2,313 ms with the log disk at 100 ms a write; expected under 400 ms."</param>
    /// <exception cref="XunitException">The symptom is present; thrown here, which is how verify mode tells it from other failures.</exception>
    // Never inlined: verify mode recognises the symptom by this method's frame at the top of the failure's stack, and a
    // plain XunitException keeps the message free of a type name.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Absent(bool absent, string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        if (absent) return;
        LabApp.SymptomSeen();
        throw new XunitException(message);
    }

    /// <summary>True when a failure's stack trace starts in <see cref="Absent"/>: the incident's own assertion failed.</summary>
    internal static bool Threw(string? stackTrace) =>
        stackTrace is not null && stackTrace.TrimStart().StartsWith("at " + typeof(Symptom).FullName + ".", StringComparison.Ordinal);

    /// <summary>Passes when <paramref name="measured"/> is at most <paramref name="bound"/>; the message says both.</summary>
    public static void AtMost(double measured, double bound, string message) => Absent(measured <= bound, message);

    /// <summary>Passes when <paramref name="measured"/> is at least <paramref name="bound"/>; the message says both.</summary>
    public static void AtLeast(double measured, double bound, string message) => Absent(measured >= bound, message);
}
