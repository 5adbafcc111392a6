using System.ComponentModel;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Workshop.TestKit;

/// <summary>
/// One spec method against one variant. When <see cref="MustFail"/> is set (verify mode, a broken variant), an
/// assertion failure is the expected outcome: it is reported as a pass with the failure's message in the test
/// output, and a pass is reported as a failure, because the broken service no longer shows its incident.
/// </summary>
public sealed class LabTestCase : XunitTestCase
{
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public LabTestCase() { }

    public LabTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay display, TestMethodDisplayOptions displayOptions,
        ITestMethod testMethod, LabTarget target, bool mustFail, bool acceptsAnyAssertion = false)
        : base(diagnosticMessageSink, display, displayOptions, testMethod, [target])
    {
        MustFail = mustFail;
        AcceptsAnyAssertion = acceptsAnyAssertion;
    }

    public bool MustFail { get; private set; }

    /// <summary>
    /// True for a guard: any of its assertions failing proves it caught the variant, where an incident test counts only
    /// its <see cref="Symptom"/> assertion.
    /// </summary>
    public bool AcceptsAnyAssertion { get; private set; }

    private LabTarget Target => (LabTarget)TestMethodArguments[0];

    protected override string GetDisplayName(IAttributeInfo factAttribute, string displayName) =>
        $"{TestMethod.TestClass.Class.Name.Split('.')[^1]}.{TestMethod.Method.Name} [{Target.Name}{(MustFail ? AcceptsAnyAssertion ? ": must fail this guard" : ": must reproduce the incident" : "")}]";

    protected override string? GetSkipReason(IAttributeInfo factAttribute) =>
        TestMethod.Method.ToRuntimeMethod().GetCustomAttributes(typeof(LinuxOnlyAttribute), false) is [LinuxOnlyAttribute linux] && !OperatingSystem.IsLinux()
            ? $"Linux only: {linux.Why}."
            : base.GetSkipReason(factAttribute);

    protected override string GetUniqueID() => $"{base.GetUniqueID()}:{(MustFail ? "reproduce" : "pass")}";

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue(nameof(MustFail), MustFail);
        data.AddValue(nameof(AcceptsAnyAssertion), AcceptsAnyAssertion);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        base.Deserialize(data);
        MustFail = data.GetValue<bool>(nameof(MustFail));
        AcceptsAnyAssertion = data.GetValue<bool>(nameof(AcceptsAnyAssertion));
    }

    public override async Task<RunSummary> RunAsync(IMessageSink diagnosticMessageSink, IMessageBus messageBus, object[] constructorArguments,
        ExceptionAggregator aggregator, CancellationTokenSource cancellationTokenSource)
    {
        if (!MustFail) return await base.RunAsync(diagnosticMessageSink, messageBus, constructorArguments, aggregator, cancellationTokenSource);

        var bus = new ReproductionMessageBus(messageBus, Target.Name, AcceptsAnyAssertion);
        var summary = await base.RunAsync(diagnosticMessageSink, bus, constructorArguments, aggregator, cancellationTokenSource);
        return new RunSummary { Total = summary.Total, Skipped = summary.Skipped, Failed = bus.Failed, Time = summary.Time };
    }
}
