namespace Workshop.TestKit;

/// <summary>
/// A spec method that can only measure on Linux (it reads <c>/proc</c>): elsewhere each of its cases is reported
/// skipped with <see cref="Why"/>, never passed, so a Broken variant is not taken for one that stopped reproducing.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LinuxOnlyAttribute(string why) : Attribute
{
    public string Why { get; } = why;
}
