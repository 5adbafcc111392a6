using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FluentAssertions;
using Workshop.TestKit;
using Workshop.Toolkit.Processes;
using Xunit;

namespace Lab07.Tests;

/// <summary>What the shop does on a good day, and with bad input, which any fix must keep.</summary>
public sealed class ShopGuards
{
    [Guard("deletes-the-feature")]
    public async Task Checkout_ProviderHealthy_IsPaidWithTheProvidersReference(LabTarget target)
    {
        // Arrange
        await using var provider = await DownstreamFake.StartAsync();
        await using var app = target.StartOnKestrel(Shop.Settings(provider));
        using var client = app.CreateClient();

        // Act
        var answer = await Shop.CheckoutAsync(client);

        // Assert: a receipt first (a checkout that answers something else has no order to read back), then the order.
        answer.Status.Should().Be(HttpStatusCode.Created, answer.Body);
        using var receipt = JsonDocument.Parse(answer.Body);
        var orderId = receipt.RootElement.GetProperty("orderId").GetString();
        var order = await Shop.GetAsync(client, $"/api/orders/{orderId}");
        receipt.RootElement.GetProperty("status").GetString().Should().Be("paid");
        receipt.RootElement.GetProperty("total").GetDecimal().Should().Be(49.80m);
        receipt.RootElement.GetProperty("paymentReference").GetString().Should().StartWith("ch_");
        (await provider.RequestsAsync()).Should().Be(1, "a healthy provider is called once per checkout");
        order.Status.Should().Be(HttpStatusCode.OK, order.Body);
    }

    [Guard]
    public async Task Checkout_CardDeclined_Is402AndNotTriedAgain(LabTarget target)
    {
        // Arrange
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Fail(402));
        await using var app = target.StartOnKestrel(Shop.Settings(provider));
        using var client = app.CreateClient();

        // Act
        var answer = await Shop.CheckoutAsync(client);

        // Assert
        answer.Code.Should().Be(402, answer.Body);
        answer.MediaType.Should().Be("application/problem+json");
        (await provider.RequestsAsync()).Should().Be(1, "a declined card is final, not worth another call");
    }

    [Guard]
    public async Task Catalog_Always_ListsTheProductsWithPrices(LabTarget target)
    {
        // Arrange
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Hang);
        await using var app = target.StartOnKestrel(Shop.Settings(provider));
        using var client = app.CreateClient();

        // Act
        var products = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/catalog", UriKind.Relative));
        var missing = await Shop.GetAsync(client, "/api/catalog/SKU-9999");

        // Assert
        products.GetArrayLength().Should().BeGreaterThan(3);
        products[0].GetProperty("price").GetDecimal().Should().BePositive();
        missing.Status.Should().Be(HttpStatusCode.NotFound);
        missing.MediaType.Should().Be("application/problem+json");
    }

    [Guard]
    public async Task Checkout_BadInput_Is400ProblemDetailsAndNeverReachesTheProvider(LabTarget target)
    {
        // Arrange
        await using var provider = await DownstreamFake.StartAsync();
        await using var app = target.StartOnKestrel(Shop.Settings(provider));
        using var client = app.CreateClient();
        object[] carts =
        [
            new { items = Array.Empty<object>(), cardToken = "tok_visa4242" },
            new { items = new[] { new { sku = "SKU-1001", quantity = 0 } }, cardToken = "tok_visa4242" },
            new { items = new[] { new { sku = "SKU-1001", quantity = 1_000_000 } }, cardToken = "tok_visa4242" },
            new { items = new[] { new { sku = "SKU-9999", quantity = 1 } }, cardToken = "tok_visa4242" },
            new { items = new[] { new { sku = "SKU-1001", quantity = 1 } }, cardToken = "4242424242424242" },
            new { items = new[] { new { sku = "SKU-1001", quantity = 1 } } },
        ];

        // Act
        var statuses = new List<string>();
        foreach (var cart in carts)
        {
            var answer = await Shop.CheckoutAsync(client, cart);
            statuses.Add($"{answer.Code} {answer.MediaType}");
        }
        using (var malformed = await client.PostAsync(new Uri("/api/checkout", UriKind.Relative), new StringContent("{\"items\": [", Encoding.UTF8, "application/json")))
        {
            statuses.Add($"{(int)malformed.StatusCode} {malformed.Content.Headers.ContentType?.MediaType}");
        }

        // Assert
        statuses.Should().OnlyContain(s => s == "400 application/problem+json", "bad carts get a 400 ProblemDetails ({0})", string.Join("; ", statuses));
        (await provider.RequestsAsync()).Should().Be(0, "nothing is charged for a cart that cannot be priced");
    }
}
