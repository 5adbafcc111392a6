using Lab07.Data;

namespace Lab07.Checkout;

/// <summary>What the shop front-end posts to <c>/api/checkout</c>: the cart and the card's token from the payment form.</summary>
public sealed record CheckoutRequest(IReadOnlyList<CartItem>? Items, string? CardToken)
{
    public const int MaxItems = 20;
    public const int MaxQuantity = 10;

    /// <summary>What is wrong with the request, by field; empty when it can be priced.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (Items is null || Items.Count is 0 or > MaxItems)
        {
            errors["items"] = [$"A cart holds 1 to {MaxItems} items."];
        }
        else if (Items.Any(i => i is null || string.IsNullOrWhiteSpace(i.Sku) || i.Quantity is < 1 or > MaxQuantity))
        {
            errors["items"] = [$"Each item names a SKU and a quantity from 1 to {MaxQuantity}."];
        }
        if (CardToken is null || CardToken.Length is < 8 or > 64 || !CardToken.StartsWith("tok_", StringComparison.Ordinal) || !CardToken.Skip(4).All(char.IsAsciiLetterOrDigit))
        {
            errors["cardToken"] = ["A card token is 'tok_' and 4 to 60 letters or digits, as the payment form gives it."];
        }
        return errors;
    }
}

/// <summary>What a paid checkout answers.</summary>
public sealed record Receipt(string OrderId, string Status, decimal Total, string Currency, string PaymentReference);

/// <summary>How a charge ended.</summary>
public abstract record PaymentResult
{
    private PaymentResult() { }

    /// <summary>The provider took the money.</summary>
    public sealed record Paid(string Reference) : PaymentResult;

    /// <summary>The provider refused the card (a 4xx): final, not worth another try.</summary>
    public sealed record Declined(int Status) : PaymentResult;

    /// <summary>The provider failed (a 5xx or a broken connection) on every try.</summary>
    public sealed record Failed(string Reason) : PaymentResult;

    /// <summary>
    /// no answer the shop could read (a timeout, a cut connection, an answer it cannot parse): the provider may have
    /// taken the charge. Paying the order again under the same idempotency key settles it without a second charge.
    /// </summary>
    public sealed record Unknown(string Why) : PaymentResult;

    /// <summary>The provider is judged down and was not called: try again after <paramref name="RetryAfter"/>.</summary>
    public sealed record Unavailable(TimeSpan RetryAfter) : PaymentResult; // the breaker's answer, without a call
}

/// <summary>What <c>POST /api/orders/{id}/payment</c> takes: the card's token, to pay an order whose payment did not go through.</summary>
public sealed record PaymentRequest(string? CardToken)
{
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (CardToken is null || CardToken.Length is < 8 or > 64 || !CardToken.StartsWith("tok_", StringComparison.Ordinal) || !CardToken.Skip(4).All(char.IsAsciiLetterOrDigit))
        {
            errors["cardToken"] = ["A card token is 'tok_' and 4 to 60 letters or digits, as the payment form gives it."];
        }
        return errors;
    }
}
