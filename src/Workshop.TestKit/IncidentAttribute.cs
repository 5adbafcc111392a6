using Xunit;
using Xunit.Sdk;

namespace Workshop.TestKit;

/// <summary>
/// An incident test: it must pass against the fixed service and, in verify mode, it is proven to fail against
/// each broken variant named here (default: <c>broken</c>). The test method takes one <see cref="LabTarget"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Workshop.TestKit.LabTestCaseDiscoverer", "Workshop.TestKit")]
public sealed class IncidentAttribute(params string[] reproducesOn) : FactAttribute
{
    public IReadOnlyList<string> ReproducesOn { get; } = reproducesOn.Length == 0 ? [LabTarget.BrokenName] : reproducesOn;
}

/// <summary>A guard test: behaviour every variant keeps, so it must pass against all of them.</summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Workshop.TestKit.LabTestCaseDiscoverer", "Workshop.TestKit")]
public sealed class GuardAttribute : FactAttribute;
