using Xunit.Abstractions;
using Xunit.Sdk;

namespace Workshop.TestKit;

/// <summary>
/// Inverts the verdict of a test that must reproduce the incident: only the incident's own assertion
/// (<see cref="Symptom"/>) failing counts; a pass, a crash or another assertion failing (a helper's, the setup's)
/// fails the test, with a message that says which. A guard that must catch a variant (<paramref name="anyAssertion"/>)
/// counts any of its assertions.
/// </summary>
internal sealed class ReproductionMessageBus(IMessageBus inner, string variant, bool anyAssertion = false) : IMessageBus
{
    public int Failed { get; private set; }

    public bool QueueMessage(IMessageSinkMessage message)
    {
        switch (message)
        {
            case ITestFailed failed when (failed.StackTraces is [var top, ..] && Symptom.Threw(top)) || (anyAssertion && IsAssertion(failed.ExceptionTypes)):
                var reproduced = $"{failed.Output}{(anyAssertion ? "Caught by this guard" : "Incident reproduced")} against '{variant}' (expected):{Environment.NewLine}{string.Join(Environment.NewLine, failed.Messages)}{Environment.NewLine}";
                return inner.QueueMessage(new TestPassed(failed.Test, failed.ExecutionTime, reproduced));
            case ITestFailed wrongAssertion when IsAssertion(wrongAssertion.ExceptionTypes):
                Failed++;
                return inner.QueueMessage(new TestFailed(wrongAssertion.Test, wrongAssertion.ExecutionTime, wrongAssertion.Output, wrongAssertion.ExceptionTypes,
                    wrongAssertion.Messages.Select(m =>
                        $"'{variant}' failed an assertion that is not the incident's own (Symptom.Absent): the setup or a helper broke, so this proves nothing: {m}").ToArray(),
                    wrongAssertion.StackTraces, wrongAssertion.ExceptionParentIndices));
            case ITestFailed crashed:
                Failed++;
                var crashMessages = crashed.Messages.Select(m => $"The spec crashed against '{variant}' instead of showing the incident through an assertion: {m}").ToArray();
                return inner.QueueMessage(new TestFailed(crashed.Test, crashed.ExecutionTime, crashed.Output, crashed.ExceptionTypes, crashMessages,
                    crashed.StackTraces, crashed.ExceptionParentIndices));
            case ITestPassed passed:
                Failed++;
                return inner.QueueMessage(new TestFailed(passed.Test, passed.ExecutionTime, passed.Output,
                    ["Workshop.TestKit.IncidentNotReproduced"],
                    [anyAssertion
                        ? $"This guard passed against '{variant}', which it must catch: the spec no longer tells that variant from a fix."
                        : $"The incident no longer reproduces against '{variant}': this spec passed there, so it does not prove the fix. " +
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
