using Workshop.Cli.Check;

namespace Workshop.Cli.Tests;

public sealed class TrxReportTests
{
    private const string Trx = """
        <?xml version="1.0" encoding="utf-8"?>
        <TestRun id="1" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
          <Results>
            <UnitTestResult testName="Spec.Passes [broken]" duration="00:00:00.8793191" outcome="Passed" />
            <UnitTestResult testName="Spec.Fails [broken]" duration="00:00:03.3793417" outcome="Failed">
              <Output><ErrorInfo><Message>Expected p95 below 300 ms,
        but it was 2,313 ms.</Message><StackTrace>at Spec.Fails()</StackTrace></ErrorInfo></Output>
            </UnitTestResult>
            <UnitTestResult testName="Spec.Skipped [broken]" duration="00:00:00" outcome="NotExecuted" />
          </Results>
        </TestRun>
        """;

    [Fact]
    public void Parse_ResultsOfARun_GivesFailuresFirstWithTheirWholeMessage()
    {
        // Act
        var tests = TrxReport.Parse(Trx);

        // Assert
        tests.Select(t => t.Name).Should().Equal("Spec.Fails [broken]", "Spec.Passes [broken]");
        tests[0].Passed.Should().BeFalse();
        tests[0].Message.Should().Be("Expected p95 below 300 ms,\nbut it was 2,313 ms.");
        tests[0].Duration.Should().BeCloseTo(TimeSpan.FromSeconds(3.38), TimeSpan.FromMilliseconds(10));
        tests[1].Passed.Should().BeTrue();
        tests[1].Message.Should().BeNull();
    }

    [Fact]
    public void SpecRun_WithNoTests_IsNeverGreen()
    {
        // Act
        var run = new SpecRun([], TimeSpan.Zero);

        // Assert
        run.IsGreen.Should().BeFalse("a run that found no test proves nothing");
    }
}
