using Xunit.Abstractions;
using Xunit.Sdk;

namespace Workshop.TestKit;

/// <summary>Inverts the verdict of a test that must reproduce the incident; only an assertion failure counts.</summary>
internal sealed class ReproductionMessageBus(IMessageBus inner, string variant) : IMessageBus
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
