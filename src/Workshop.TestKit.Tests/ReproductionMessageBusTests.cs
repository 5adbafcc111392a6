using FluentAssertions;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Workshop.TestKit.Tests;

/// <summary>Verify mode stands on this inversion: a broken variant must fail by assertion, and only that way.</summary>
public sealed class ReproductionMessageBusTests
{
    [Fact]
    public void SymptomFailure_OnBrokenVariant_IsReportedAsPassWithTheMessage()
    {
        // Arrange
        var sink = new RecordingBus();
        using var bus = new ReproductionMessageBus(sink, "broken");
        var failed = Failure(() => Symptom.AtMost(2_300, 300, "p95 2,300 ms; expected under 300 ms, found 2,300"), "measured p95 2,300 ms\n");

        // Act
        bus.QueueMessage(failed);

        // Assert
        var passed = sink.Messages.Should().ContainSingle().Which.Should().BeAssignableTo<ITestPassed>().Subject;
        passed.Output.Should().Contain("measured p95 2,300 ms").And.Contain("Incident reproduced against 'broken'").And.Contain("found 2,300");
        bus.Failed.Should().Be(0);
    }

    [Fact]
    public void OtherAssertionFailure_OnBrokenVariant_StaysAFailureThatSaysSo()
    {
        // Arrange: a helper's FluentAssertions check failed before the incident was measured.
        var sink = new RecordingBus();
        using var bus = new ReproductionMessageBus(sink, "broken");
        var failed = Failure(() => 500.Should().Be(200, "the setup's request succeeds"), "");

        // Act
        bus.QueueMessage(failed);

        // Assert
        var verdict = sink.Messages.Should().ContainSingle().Which.Should().BeAssignableTo<ITestFailed>().Subject;
        verdict.Messages.Should().ContainSingle().Which.Should().Contain("not the incident's own").And.Contain("but found 500");
        bus.Failed.Should().Be(1);
    }

    [Fact]
    public void GuardAssertionFailure_OnAnAlternativeItMustCatch_IsReportedAsPass()
    {
        // Arrange: a "fix" that deletes the feature fails the guard's own FluentAssertions check.
        var sink = new RecordingBus();
        using var bus = new ReproductionMessageBus(sink, "deletes-the-feature", anyAssertion: true);
        var failed = Failure(() => 0.Should().Be(1, "the hot price is read from the store once"), "");

        // Act
        bus.QueueMessage(failed);

        // Assert
        var passed = sink.Messages.Should().ContainSingle().Which.Should().BeAssignableTo<ITestPassed>().Subject;
        passed.Output.Should().Contain("Caught by this guard against 'deletes-the-feature'").And.Contain("but found 0");
        bus.Failed.Should().Be(0);
    }

    [Fact]
    public void GuardPass_OnAnAlternativeItMustCatch_IsReportedAsFailure()
    {
        // Arrange
        var sink = new RecordingBus();
        using var bus = new ReproductionMessageBus(sink, "deletes-the-feature", anyAssertion: true);

        // Act
        bus.QueueMessage(new TestPassed(SampleTest(), 0.2m, ""));

        // Assert
        var failed = sink.Messages.Should().ContainSingle().Which.Should().BeAssignableTo<ITestFailed>().Subject;
        failed.Messages.Should().ContainSingle().Which.Should().Contain("This guard passed against 'deletes-the-feature', which it must catch");
        bus.Failed.Should().Be(1);
    }

    [Fact]
    public void Symptom_Absent_ThrowsTheMessageAsItIsWhenPresent()
    {
        // Act
        var absent = () => Symptom.Absent(true, "no symptom");
        var present = () => Symptom.AtMost(2_313, 400, "p95 latency 2,313 ms with the log disk at 100 ms a write; expected under 400 ms.");

        // Assert
        absent.Should().NotThrow();
        present.Should().Throw<XunitException>().Which.Message.Should().Be("p95 latency 2,313 ms with the log disk at 100 ms a write; expected under 400 ms.");
    }

    [Fact]
    public void Pass_OnBrokenVariant_IsReportedAsFailure()
    {
        // Arrange
        var sink = new RecordingBus();
        using var bus = new ReproductionMessageBus(sink, "naive-fix");

        // Act
        bus.QueueMessage(new TestPassed(SampleTest(), 0.2m, ""));

        // Assert
        var failed = sink.Messages.Should().ContainSingle().Which.Should().BeAssignableTo<ITestFailed>().Subject;
        failed.Messages.Should().ContainSingle().Which.Should().Contain("no longer reproduces against 'naive-fix'");
        bus.Failed.Should().Be(1);
    }

    [Fact]
    public void Crash_OnBrokenVariant_StaysAFailure()
    {
        // Arrange
        var sink = new RecordingBus();
        using var bus = new ReproductionMessageBus(sink, "broken");
        var crashed = new TestFailed(SampleTest(), 0.1m, "", ["System.InvalidOperationException"], ["service did not start"], [""], [-1]);

        // Act
        bus.QueueMessage(crashed);

        // Assert
        var failed = sink.Messages.Should().ContainSingle().Which.Should().BeAssignableTo<ITestFailed>().Subject;
        failed.Messages.Should().ContainSingle().Which.Should().Contain("crashed against 'broken'").And.Contain("service did not start");
        bus.Failed.Should().Be(1);
    }

    [Fact]
    public void OtherMessages_PassThroughUnchanged()
    {
        // Arrange
        var sink = new RecordingBus();
        using var bus = new ReproductionMessageBus(sink, "broken");
        var output = new TestOutput(SampleTest(), "a line");

        // Act
        bus.QueueMessage(output);

        // Assert
        sink.Messages.Should().ContainSingle().Which.Should().BeSameAs(output);
        bus.Failed.Should().Be(0);
    }

    /// <summary>What xunit reports for <paramref name="assertion"/> failing: its exception's types, messages and stack traces.</summary>
    private static TestFailed Failure(Action assertion, string output)
    {
        try
        {
            assertion();
        }
        catch (Exception e)
        {
            return new TestFailed(SampleTest(), 0.5m, output, e);
        }
        throw new InvalidOperationException("The assertion passed; the test needs a failure.");
    }

    private static ITest SampleTest()
    {
        var assembly = new TestAssembly(Reflector.Wrap(typeof(ReproductionMessageBusTests).Assembly));
        var collection = new TestCollection(assembly, null, "sample");
        var testClass = new TestClass(collection, Reflector.Wrap(typeof(ReproductionMessageBusTests)));
        var method = new TestMethod(testClass, Reflector.Wrap(typeof(ReproductionMessageBusTests).GetMethod(nameof(Pass_OnBrokenVariant_IsReportedAsFailure))!));
        var testCase = new XunitTestCase(new NullMessageSink(), TestMethodDisplay.Method, TestMethodDisplayOptions.None, method);
        return new XunitTest(testCase, "sample");
    }

    private sealed class RecordingBus : IMessageBus
    {
        public List<IMessageSinkMessage> Messages { get; } = [];
        public bool QueueMessage(IMessageSinkMessage message) { Messages.Add(message); return true; }
        public void Dispose() { }
    }
}
