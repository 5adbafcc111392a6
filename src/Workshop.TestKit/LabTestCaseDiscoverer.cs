using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Workshop.TestKit;

/// <summary>Turns one <see cref="IncidentAttribute"/> or <see cref="GuardAttribute"/> method into a test case per variant.</summary>
public sealed class LabTestCaseDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        var method = testMethod.Method.ToRuntimeMethod();
        var assembly = method.DeclaringType!.Assembly;
        var variants = assembly.GetCustomAttributes<LabVariantAttribute>().ToDictionary(v => v.Name, v => v.Marker, StringComparer.OrdinalIgnoreCase);

        string? problem = null;
        if (!variants.ContainsKey(LabTarget.FixedName) || !variants.ContainsKey(LabTarget.BrokenName))
            problem = $"The test assembly {assembly.GetName().Name} must declare [assembly: LabVariant(\"fixed\", ...)] and [assembly: LabVariant(\"broken\", ...)].";
        else if (method.GetParameters() is not [{ ParameterType: var p }] || p != typeof(LabTarget))
            problem = $"{method.DeclaringType.Name}.{method.Name} must take exactly one parameter of type {nameof(LabTarget)}.";

        var incident = method.GetCustomAttribute<IncidentAttribute>();
        var reproducesOn = incident?.ReproducesOn ?? [];
        var unknown = reproducesOn.Where(v => !variants.ContainsKey(v) || v.Equals(LabTarget.FixedName, StringComparison.OrdinalIgnoreCase)).ToList();
        if (problem is null && unknown.Count > 0)
            problem = $"{method.Name} names unknown broken variant(s) {string.Join(", ", unknown)}; declared: {string.Join(", ", variants.Keys)}.";

        var plain = LabMode.PlainTarget;
        if (problem is null && plain is not null && !variants.ContainsKey(plain))
            problem = $"{LabMode.EnvironmentVariable}={plain} names no variant of this lab; use one of: {string.Join(", ", variants.Keys)} (or leave it unset to verify).";

        if (problem is not null)
        {
            yield return new ExecutionErrorTestCase(diagnosticMessageSink, display, displayOptions, testMethod, problem);
            yield break;
        }

        LabTarget Target(string name) => new(variants.Keys.First(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)), variants[name]);

        if (plain is not null)
        {
            yield return new LabTestCase(diagnosticMessageSink, display, displayOptions, testMethod, Target(plain), mustFail: false);
            yield break;
        }

        yield return new LabTestCase(diagnosticMessageSink, display, displayOptions, testMethod, Target(LabTarget.FixedName), mustFail: false);
        var others = incident is not null ? reproducesOn : variants.Keys.Where(k => !k.Equals(LabTarget.FixedName, StringComparison.OrdinalIgnoreCase));
        foreach (var variant in others)
        {
            yield return new LabTestCase(diagnosticMessageSink, display, displayOptions, testMethod, Target(variant), mustFail: incident is not null);
        }
    }
}
