using Microsoft.AspNetCore.Http.HttpResults;

namespace Lab05.Accounts;

/// <summary><c>/api/accounts/{id}</c>: a balance, its ledger, deposits and withdrawals.</summary>
public static class AccountEndpoints
{
    public const decimal MaxAmount = 1_000_000m;

    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/api/accounts").WithTags("Accounts");
        accounts.MapGet("/{id:int}", Get);
        accounts.MapGet("/{id:int}/ledger", GetLedger);
        accounts.MapPost("/{id:int}/deposit", DepositAsync);
        accounts.MapPost("/{id:int}/withdraw", WithdrawAsync);
        return app;
    }

    private static Results<Ok<AccountView>, ProblemHttpResult> Get(int id, AccountStore store) =>
        store.Find(id) is { } account ? TypedResults.Ok(new AccountView(id, account.Balance)) : NotFound(id);

    private static Results<Ok<LedgerView>, ProblemHttpResult> GetLedger(int id, AccountStore store, Ledger ledger)
    {
        if (store.Find(id) is not { } account) return NotFound(id);
        var entries = ledger.Of(id);
        return TypedResults.Ok(new LedgerView(id, store.OpeningBalance, entries.Sum(e => e.Amount), entries.Count, account.Balance));
    }

    private static async Task<Results<Ok<AccountView>, ProblemHttpResult, ValidationProblem>> DepositAsync(
        int id, MoneyRequest request, AccountStore store, WalletMetrics metrics, CancellationToken ct)
    {
        if (Validate(request) is { } invalid) return invalid;
        if (await store.DepositAsync(id, request.Amount!.Value, ct) is not { } balance) return NotFound(id);
        metrics.Moved("deposit", "done");
        return TypedResults.Ok(new AccountView(id, balance));
    }

    private static async Task<Results<Ok<AccountView>, ProblemHttpResult, ValidationProblem>> WithdrawAsync(
        int id, MoneyRequest request, AccountStore store, WalletMetrics metrics, CancellationToken ct)
    {
        if (Validate(request) is { } invalid) return invalid;
        var (outcome, balance) = await store.WithdrawAsync(id, request.Amount!.Value, ct);
        switch (outcome)
        {
            case WithdrawOutcome.UnknownAccount:
                return NotFound(id);
            case WithdrawOutcome.InsufficientFunds:
                metrics.Moved("withdrawal", "refused");
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Insufficient funds",
                    detail: $"Account {id} holds {balance:0.00}, less than {request.Amount:0.00}.");
            default:
                metrics.Moved("withdrawal", "done");
                return TypedResults.Ok(new AccountView(id, balance));
        }
    }

    private static ValidationProblem? Validate(MoneyRequest request) => request.Amount switch
    {
        null => Invalid("An amount is required."),
        <= 0 => Invalid("The amount must be positive."),
        > MaxAmount => Invalid($"The amount is at most {MaxAmount:N0}."),
        { } a when decimal.Round(a, 2) != a => Invalid("The amount has at most two decimals."),
        _ => null,
    };

    private static ValidationProblem Invalid(string message) => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["amount"] = [message] });

    private static ProblemHttpResult NotFound(int id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Account not found", detail: $"There is no account {id}.");
}
