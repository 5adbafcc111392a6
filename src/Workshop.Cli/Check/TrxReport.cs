using System.Globalization;
using System.Xml.Linq;

namespace Workshop.Cli.Check;

/// <summary>
/// Reads a TRX file (the test results `dotnet test --logger trx` writes): one UnitTestResult per test, with its
/// outcome, duration and error message. A file rather than console output: its format does not change with the
/// SDK's console logger, and messages with newlines survive whole.
/// </summary>
internal static class TrxReport
{
    private static readonly XNamespace Ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    public static IReadOnlyList<SpecTest> Parse(string trx)
    {
        var doc = XDocument.Parse(trx);
        return doc.Descendants(Ns + "UnitTestResult")
            .Select(r => (
                Name: (string?)r.Attribute("testName") ?? "?",
                Outcome: (string?)r.Attribute("outcome") ?? "",
                Duration: TimeSpan.TryParse((string?)r.Attribute("duration"), CultureInfo.InvariantCulture, out var d) ? d : TimeSpan.Zero,
                Message: r.Descendants(Ns + "ErrorInfo").Elements(Ns + "Message").FirstOrDefault()?.Value))
            .Where(r => r.Outcome is not ("NotExecuted" or "Inconclusive"))
            .Select(r => new SpecTest(r.Name, r.Outcome == "Passed", r.Duration, r.Outcome == "Passed" ? null : r.Message?.Trim() ?? r.Outcome))
            .OrderBy(t => t.Passed)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
    }
}
