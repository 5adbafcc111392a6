using Xunit;
using Xunit.Sdk;

namespace Workshop.TestKit;

/// <summary>
/// An incident test: it must pass against the fixed service (and every <c>correct-*</c> alternative) and, in verify
/// mode, it is proven to fail through <see cref="Symptom"/> against each broken variant or alternative named here
/// (default: <c>broken</c>); a half-fix is named by the test of the path it leaves open. The test method takes one
/// <see cref="LabTarget"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Workshop.TestKit.LabTestCaseDiscoverer", "Workshop.TestKit")]
public sealed class IncidentAttribute(params string[] reproducesOn) : FactAttribute
{
    public IReadOnlyList<string> ReproducesOn { get; } = reproducesOn.Length == 0 ? [LabTarget.BrokenName] : reproducesOn;
}

/// <summary>
/// A guard test: behaviour every variant keeps (Fixed, Broken, the <c>correct-*</c> alternatives), so it must pass
/// against all of them; in verify mode it is proven to fail, through any of its assertions, against each alternative
/// named here: the "fixes" that delete the feature it guards.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Workshop.TestKit.LabTestCaseDiscoverer", "Workshop.TestKit")]
public sealed class GuardAttribute(params string[] catches) : FactAttribute
{
    public IReadOnlyList<string> Catches { get; } = catches;
}
