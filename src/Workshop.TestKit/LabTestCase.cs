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
        ITestMethod testMethod, LabTarget target, bool mustFail)
        : base(diagnosticMessageSink, display, displayOptions, testMethod, [target])
    {
        MustFail = mustFail;
    }

    public bool MustFail { get; private set; }

    private LabTarget Target => (LabTarget)TestMethodArguments[0];

    protected override string GetDisplayName(IAttributeInfo factAttribute, string displayName) =>
        $"{TestMethod.TestClass.Class.Name.Split('.')[^1]}.{TestMethod.Method.Name} [{Target.Name}{(MustFail ? ": must reproduce the incident" : "")}]";

    protected override string GetUniqueID() => $"{base.GetUniqueID()}:{(MustFail ? "reproduce" : "pass")}";

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue(nameof(MustFail), MustFail);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        base.Deserialize(data);
        MustFail = data.GetValue<bool>(nameof(MustFail));
    }

    public override async Task<RunSummary> RunAsync(IMessageSink diagnosticMessageSink, IMessageBus messageBus, object[] constructorArguments,
        ExceptionAggregator aggregator, CancellationTokenSource cancellationTokenSource)
    {
        if (!MustFail) return await base.RunAsync(diagnosticMessageSink, messageBus, constructorArguments, aggregator, cancellationTokenSource);

        var bus = new ReproductionMessageBus(messageBus, Target.Name);
        var summary = await base.RunAsync(diagnosticMessageSink, bus, constructorArguments, aggregator, cancellationTokenSource);
        return new RunSummary { Total = summary.Total, Skipped = summary.Skipped, Failed = bus.Failed, Time = summary.Time };
    }

    /// <summary>Inverts the verdict of a test that must reproduce the incident; only an assertion failure counts.</summary>
    private sealed class ReproductionMessageBus(IMessageBus inner, string variant) : IMessageBus
    {
        public int Failed { get; private set; }

        public bool QueueMessage(IMessageSinkMessage message)
        {
            switch (message)
            {
                case ITestFailed failed when IsAssertion(failed.ExceptionTypes):
                    var reproduced = $"{failed.Output}Incident reproduced against '{variant}' (expected):{Environment.NewLine}{string.Join(Environment.NewLine, failed.Messages)}{Environment.NewLine}";
                    return inner.QueueMessage(new TestPassed(failed.Test, failed.ExecutionTime, reproduced));
                case ITestFailed crashed:
                    Failed++;
                    var crashMessages = crashed.Messages.Select(m => $"The spec crashed against '{variant}' instead of showing the incident through an assertion: {m}").ToArray();
                    return inner.QueueMessage(new TestFailed(crashed.Test, crashed.ExecutionTime, crashed.Output, crashed.ExceptionTypes, crashMessages,
                        crashed.StackTraces, crashed.ExceptionParentIndices));
                case ITestPassed passed:
                    Failed++;
                    return inner.QueueMessage(new TestFailed(passed.Test, passed.ExecutionTime, passed.Output,
                        ["Workshop.TestKit.IncidentNotReproduced"],
                        [$"The incident no longer reproduces against '{variant}': this spec passed there, so it does not prove the fix. " +
                         "Either the broken service lost its bug or the test lost its edge."],
                        [""], [-1]));
                default:
                    return inner.QueueMessage(message);
            }
        }

        // FluentAssertions and xunit's Assert both throw XunitException (or a subclass) for a failed expectation.
        private static bool IsAssertion(string?[] exceptionTypes) =>
            exceptionTypes is [{ } first, ..] && (first.StartsWith("Xunit.Sdk.", StringComparison.Ordinal) || first.StartsWith("FluentAssertions.", StringComparison.Ordinal));

        public void Dispose() { }
    }
}
