namespace Workshop.TestKit;

/// <summary>
/// One of the lab's alternative fixes (a folder of <c>Alternatives/</c>), which the spec runs against as a variant:
/// <c>correct-*</c> must pass every test, as Fixed does; any other (<c>deletes-*</c>, <c>half-fix*</c>) must be caught
/// by the tests that name it (<see cref="IncidentAttribute"/>, <see cref="GuardAttribute"/>). Written by the labs'
/// build for every alternative project it finds, never by hand.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class LabAlternativeAttribute(string folder, string assemblyName, string contentRoot) : Attribute
{
    public const string CorrectPrefix = "correct-";

    /// <summary>The variant's name: its folder under <c>Alternatives/</c> ("correct-another-way").</summary>
    public string Name { get; } = folder.TrimEnd('/', '\\');

    /// <summary>The alternative's assembly, loaded only when a test runs against it.</summary>
    public string AssemblyName { get; } = assemblyName;

    /// <summary>Broken's folder: an alternative has Broken's settings (appsettings.json), so its knobs' defaults.</summary>
    public string ContentRoot { get; } = contentRoot;

    /// <summary>True for an alternative that fixes the incident another way: the whole spec must pass against it.</summary>
    public bool IsCorrect => Name.StartsWith(CorrectPrefix, StringComparison.Ordinal);
}
