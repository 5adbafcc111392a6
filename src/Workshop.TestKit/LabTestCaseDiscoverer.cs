using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Workshop.TestKit;

/// <summary>
/// Turns one <see cref="IncidentAttribute"/> or <see cref="GuardAttribute"/> method into a test case per variant: in
/// verify mode, Fixed and every <c>correct-*</c> alternative must pass it, and each variant the method names must
/// fail it; with <c>LAB_TARGET</c> set, one plain case against that variant.
/// </summary>
public sealed class LabTestCaseDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        var method = testMethod.Method.ToRuntimeMethod();
        var assembly = method.DeclaringType!.Assembly;
        var lab = LabVariants.Of(assembly);

        var incident = method.GetCustomAttribute<IncidentAttribute>();
        var named = incident?.ReproducesOn ?? method.GetCustomAttribute<GuardAttribute>()?.Catches ?? [];
        var plain = LabMode.PlainTarget;
        // The names a test must fail on are checked in verify mode only: a plain run (a learner's, LAB_TARGET=broken) is
        // built without the alternatives, whose names it then does not know.
        var problem = lab.Problem
            ?? (method.GetParameters() is not [{ ParameterType: var p }] || p != typeof(LabTarget)
                ? $"{method.DeclaringType.Name}.{method.Name} must take exactly one parameter of type {nameof(LabTarget)}."
                : null)
            ?? (plain is null ? lab.ProblemWithNames(method.Name, named) : null)
            ?? (plain is null && lab.FirstMethod == method ? lab.ProblemWithUncaughtAlternatives : null);

        if (problem is null && plain is not null && !lab.Knows(plain))
            problem = $"{LabMode.EnvironmentVariable}={plain} names no variant of this lab; use one of: {string.Join(", ", lab.Names)} (or leave it unset to verify).";

        if (problem is not null)
        {
            yield return new ExecutionErrorTestCase(diagnosticMessageSink, display, displayOptions, testMethod, problem);
            yield break;
        }

        LabTestCase Case(string variant, bool mustFail) =>
            new(diagnosticMessageSink, display, displayOptions, testMethod, lab.Target(variant), mustFail, acceptsAnyAssertion: incident is null);

        if (plain is not null)
        {
            yield return Case(plain, mustFail: false);
            yield break;
        }

        yield return Case(LabTarget.FixedName, mustFail: false);
        foreach (var correct in lab.CorrectAlternatives) yield return Case(correct, mustFail: false);
        // A guard holds on every declared variant, and is proven to catch the alternatives it names.
        var mustPass = incident is null ? lab.Declared.Where(v => !v.Equals(LabTarget.FixedName, StringComparison.OrdinalIgnoreCase)) : [];
        foreach (var variant in mustPass) yield return Case(variant, mustFail: false);
        foreach (var variant in named) yield return Case(variant, mustFail: true);
    }
}

/// <summary>
/// The variants one spec assembly runs against: those it declares (<see cref="LabVariantAttribute"/>) and the lab's
/// alternative fixes its build found (<see cref="LabAlternativeAttribute"/>), with what is wrong with them, if anything.
/// </summary>
internal sealed class LabVariants
{
    private readonly Dictionary<string, Type> _declared;
    private readonly Dictionary<string, LabAlternativeAttribute> _alternatives;
    private readonly string _name;

    private LabVariants(Assembly assembly)
        : this(assembly.GetName().Name ?? "", assembly.GetCustomAttributes<LabVariantAttribute>(), assembly.GetCustomAttributes<LabAlternativeAttribute>(),
            assembly.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)))
    {
    }

    /// <summary>The variants of a spec assembly named <paramref name="name"/>, from its attributes and its public test methods.</summary>
    internal LabVariants(string name, IEnumerable<LabVariantAttribute> declared, IEnumerable<LabAlternativeAttribute> alternatives, IEnumerable<MethodInfo> methods)
    {
        _name = name;
        _declared = declared.ToDictionary(v => v.Name, v => v.Marker, StringComparer.OrdinalIgnoreCase);
        _alternatives = alternatives.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);
        if (!_declared.ContainsKey(LabTarget.FixedName) || !_declared.ContainsKey(LabTarget.BrokenName))
            Problem = $"The test assembly {name} must declare [assembly: LabVariant(\"fixed\", ...)] and [assembly: LabVariant(\"broken\", ...)].";
        else if (_declared.Keys.Intersect(_alternatives.Keys, StringComparer.OrdinalIgnoreCase).FirstOrDefault() is { } both)
            Problem = $"'{both}' is both a declared variant and an alternative of {name}.";

        var specs = methods
            .Select(m => (Method: m, Names: m.GetCustomAttribute<IncidentAttribute>()?.ReproducesOn ?? m.GetCustomAttribute<GuardAttribute>()?.Catches))
            .Where(x => x.Names is not null)
            .OrderBy(x => x.Method.DeclaringType!.FullName, StringComparer.Ordinal).ThenBy(x => x.Method.Name, StringComparer.Ordinal)
            .ToList();
        FirstMethod = specs.FirstOrDefault().Method;
        var caught = specs.SelectMany(x => x.Names!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var uncaught = _alternatives.Values.Where(a => !a.IsCorrect && !caught.Contains(a.Name)).Select(a => a.Name).Order(StringComparer.Ordinal).ToList();
        if (uncaught.Count > 0)
        {
            ProblemWithUncaughtAlternatives =
                $"No test of {name} names the alternative(s) {string.Join(", ", uncaught)}: an alternative that is not correct-* " +
                "must be named by the incident test ([Incident(\"broken\", \"half-fix\")]) or guard ([Guard(\"deletes-the-feature\")]) that catches it.";
        }
    }

    private static readonly Dictionary<Assembly, LabVariants> Cache = [];

    public static LabVariants Of(Assembly assembly)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(assembly, out var variants)) Cache[assembly] = variants = new LabVariants(assembly);
            return variants;
        }
    }

    public string? Problem { get; }

    public string? ProblemWithUncaughtAlternatives { get; }

    /// <summary>The spec method that reports problems of the whole assembly, so that they show once.</summary>
    public MethodInfo? FirstMethod { get; }

    public IEnumerable<string> Declared => _declared.Keys;

    public IEnumerable<string> CorrectAlternatives => _alternatives.Values.Where(a => a.IsCorrect).Select(a => a.Name).Order(StringComparer.Ordinal);

    public IEnumerable<string> Names => _declared.Keys.Concat(_alternatives.Keys.Order(StringComparer.Ordinal));

    public bool Knows(string name) => _declared.ContainsKey(name) || _alternatives.ContainsKey(name);

    /// <summary>What is wrong with the variants a test names as the ones it must fail on, or null.</summary>
    public string? ProblemWithNames(string method, IReadOnlyList<string> names)
    {
        var unknown = names.Where(n => !Knows(n) || n.Equals(LabTarget.FixedName, StringComparison.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
            return $"{method} names unknown broken variant(s) {string.Join(", ", unknown)}; known: {string.Join(", ", Names)}.";
        var correct = names.Where(n => _alternatives.TryGetValue(n, out var a) && a.IsCorrect).ToList();
        return correct.Count > 0
            ? $"{method} expects to fail on {string.Join(", ", correct)}, which a correct-* name says is a right fix."
            : null;
    }

    public LabTarget Target(string name)
    {
        if (_declared.TryGetValue(name, out var marker))
            return new LabTarget(_declared.Keys.First(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)), marker);
        var alternative = _alternatives[name];
        // Loaded only now: a learner's run against Broken never touches the alternatives' (possibly stale) builds.
        var entry = Assembly.Load(new AssemblyName(alternative.AssemblyName)).EntryPoint?.DeclaringType
            ?? throw new InvalidOperationException($"The alternative {alternative.Name} ({alternative.AssemblyName}) has no entry point.");
        return new LabTarget(alternative.Name, entry, alternative.ContentRoot);
    }

    public override string ToString() => _name;
}
