namespace Workshop.TestKit;

/// <summary>
/// How the spec runs, from <c>LAB_TARGET</c>: unset (verify, CI's mode) runs Fixed and proves each incident
/// test fails against the broken variants it names; a variant name (<c>broken</c>, <c>fixed</c>, ...) runs the
/// spec plainly against that variant only, which is what a learner fixing the broken service wants.
/// </summary>
public static class LabMode
{
    public const string EnvironmentVariable = "LAB_TARGET";

    /// <summary>The variant named by <c>LAB_TARGET</c>, or null in verify mode.</summary>
    public static string? PlainTarget
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim().ToLowerInvariant();
            return string.IsNullOrEmpty(value) || value == "verify" ? null : value;
        }
    }
}
