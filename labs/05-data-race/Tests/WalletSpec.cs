using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Workshop.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Lab05.Tests;

/// <summary>
/// Money is neither created nor lost: concurrent withdrawals pay out no more than the balance holds, concurrent
/// deposits are all counted, and the balance always equals the opening balance plus what the ledger records. The
/// ledger write every movement awaits holds the race window open, and the requests are released together.
/// </summary>
public sealed class WalletSpec(ITestOutputHelper output)
{
    [Incident("broken")]
    public async Task Withdrawals_200ConcurrentOf1FromABalanceOf100_PayOutExactly100(LabTarget target)
    {
        // Arrange: every ledger write takes 20 ms, and account 7 holds 100.00.
        await using var app = target.Start(("Lab:LedgerLatencyMs", "20"), ("Lab:InitialBalance", "100"));
        using var client = app.CreateClient();

        // Act: 200 withdrawals of 1.00, released at the same instant.
        var burst = await Burst.SendAsync(200, (_, ct) => client.PostAsJsonAsync("/api/accounts/7/withdraw", new { amount = 1.00m }, ct), TimeSpan.FromSeconds(60));
        var paid = burst.Results.Count(r => r.Status == HttpStatusCode.OK);
        var refused = burst.Results.Count(r => r.Status == HttpStatusCode.Conflict);
        var ledger = await LedgerAsync(client, 7);
        output.WriteLine($"{burst}; paid {paid}, refused {refused}; {ledger}");

        // Assert: 100 paid, 100 refused, nothing left, and the balance is what the ledger says.
        (paid + refused).Should().Be(200, "every withdrawal is either paid or refused ({0})", burst);
        var created = paid - (100m - ledger.Balance);
        Symptom.Absent(paid == 100 && refused == 100 && ledger.Balance == 0m && ledger.Adds,
            string.Create(CultureInfo.InvariantCulture,
                $"200 concurrent withdrawals of 1.00 from a balance of 100.00 paid out {paid} and refused {refused}; the balance reads {ledger.Balance:N2} " +
                $"while the ledger adds up to {ledger.Expected:N2}: {created:0.00} paid out that the balance never lost; expected 100 paid, 100 refused and 0.00 left."));
    }

    [Incident("broken")]
    public async Task Deposits_1000Concurrent_AreAllCounted(LabTarget target)
    {
        // Arrange: a ledger write of 1 ms, account 8 at 100.00.
        await using var app = target.Start(("Lab:LedgerLatencyMs", "1"), ("Lab:InitialBalance", "100"));
        using var client = app.CreateClient();

        // Act: 1,000 deposits of 1.00, released together.
        var burst = await Burst.SendAsync(1_000, (_, ct) => client.PostAsJsonAsync("/api/accounts/8/deposit", new { amount = 1.00m }, ct), TimeSpan.FromSeconds(60));
        var ledger = await LedgerAsync(client, 8);
        output.WriteLine($"{burst}; {ledger}");

        // Assert
        burst.Succeeded.Should().Be(1_000, "every deposit is accepted ({0})", burst);
        var lost = 1_100m - ledger.Balance;
        Symptom.Absent(ledger.Balance == 1_100m && ledger.Adds, string.Create(CultureInfo.InvariantCulture,
            $"1,000 concurrent deposits of 1.00 onto 100.00 left a balance of {ledger.Balance:N2}: {lost:0.00} deposited and lost, while the ledger " +
            $"records {ledger.Entries:N0} deposits adding up to {ledger.Expected:N2}; expected 1,100.00."));
    }

    [Guard("half-fix")]
    public async Task Withdrawal_AfterOneWhoseClientGaveUpMidLedgerWrite_IsServed(LabTarget target)
    {
        // Arrange: account 9's first ledger write waits on the test's clock, which never moves it; every later write
        // takes its 57 ms (a wait no other timer of the host has).
        var clock = new StalledClock(TimeSpan.FromMilliseconds(57), stall: 1);
        await using var app = target.Start(builder => builder.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)),
            ("Lab:LedgerLatencyMs", "57"), ("Lab:InitialBalance", "100"));
        using var client = app.CreateClient();

        // Act: a withdrawal whose client gives up while its ledger write waits, then, once the service has unwound it,
        // another withdrawal from the same account, waited for 2 s at most (35x the ledger's 57 ms).
        using (var giveUp = new CancellationTokenSource())
        {
            var first = client.PostAsJsonAsync("/api/accounts/9/withdraw", new { amount = 1.00m }, giveUp.Token);
            await clock.StalledAsync().WaitAsync(TimeSpan.FromSeconds(10));
            await giveUp.CancelAsync();
            try { (await first).Dispose(); }
            catch (OperationCanceledException) { }
        }
        var idle = await app.IdleAsync(TimeSpan.FromSeconds(10));
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        string answer;
        try
        {
            using var second = await client.PostAsJsonAsync("/api/accounts/9/withdraw", new { amount = 1.00m }, patience.Token);
            answer = $"{(int)second.StatusCode}";
        }
        catch (OperationCanceledException)
        {
            answer = "no answer after 2 s";
        }
        output.WriteLine($"the second withdrawal: {answer}");

        // Assert
        idle.Should().BeTrue("the withdrawal whose client gave up should leave the service within 10 s");
        Symptom.Absent(answer == "200", string.Create(CultureInfo.InvariantCulture,
            $"after a withdrawal from account 9 whose client gave up during its ledger write, the next withdrawal from it got {answer}; " +
            $"expected 200: a movement that ends with an exception must leave the account to the next one."));
    }

    [Guard("deletes-the-feature")]
    public async Task Movements_OneAfterAnother_AreExactAndInTheLedger(LabTarget target)
    {
        // Arrange
        await using var app = target.Start(("Lab:LedgerLatencyMs", "1"), ("Lab:InitialBalance", "100"));
        using var client = app.CreateClient();

        // Act
        using var deposit = await client.PostAsJsonAsync("/api/accounts/3/deposit", new { amount = 25.50m });
        using var withdrawal = await client.PostAsJsonAsync("/api/accounts/3/withdraw", new { amount = 10.25m });
        using var tooMuch = await client.PostAsJsonAsync("/api/accounts/3/withdraw", new { amount = 200m });
        var account = await client.GetFromJsonAsync<AccountBody>("/api/accounts/3");
        var ledger = await LedgerAsync(client, 3);

        // Assert
        deposit.StatusCode.Should().Be(HttpStatusCode.OK);
        withdrawal.StatusCode.Should().Be(HttpStatusCode.OK);
        tooMuch.StatusCode.Should().Be(HttpStatusCode.Conflict, "200.00 is more than the account holds");
        tooMuch.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        account!.Balance.Should().Be(115.25m);
        ledger.Entries.Should().Be(2, "the deposit and the withdrawal are in the ledger, the refusal is not");
        ledger.Adds.Should().BeTrue("the balance is the opening balance plus the ledger ({0})", ledger);
    }

    [Guard]
    public async Task Movements_BadInput_GetProblemDetails(LabTarget target)
    {
        // Arrange
        await using var app = target.Start(("Lab:LedgerLatencyMs", "0"));
        using var client = app.CreateClient();
        string[] bodies = ["{\"amount\": 0}", "{\"amount\": -5}", "{\"amount\": 1.001}", "{\"amount\": 1e12}", "{\"amount\": \"ten\"}", "{}", "", "not json"];

        // Act
        var answers = new List<string>();
        foreach (var body in bodies)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("/api/accounts/5/withdraw", content);
            answers.Add($"{body}: {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}");
        }
        using var unknown = await client.PostAsJsonAsync("/api/accounts/999999/withdraw", new { amount = 1m });
        var balance = (await client.GetFromJsonAsync<AccountBody>("/api/accounts/5"))!.Balance;

        // Assert
        answers.Should().OnlyContain(a => a.EndsWith(": 400 application/problem+json", StringComparison.Ordinal), "bad amounts are 400 ProblemDetails ({0})", string.Join("; ", answers));
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        balance.Should().Be(100m, "no rejected movement may change the balance");
    }

    private sealed record AccountBody(int Id, decimal Balance);

    private sealed record LedgerBody(int Id, decimal Opening, decimal Movements, int Entries, decimal Balance)
    {
        public decimal Expected => Opening + Movements;

        public bool Adds => Expected == Balance;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"balance {Balance:0.00}; ledger: opening {Opening:0.00} + {Entries} movements of {Movements:0.00} in all = {Expected:0.00}");
    }

    private static async Task<LedgerBody> LedgerAsync(HttpClient client, int id) =>
        (await client.GetFromJsonAsync<LedgerBody>($"/api/accounts/{id}/ledger"))!;
}
