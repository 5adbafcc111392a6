using System.Globalization;
using System.Net.Http.Json;
using FluentAssertions;
using Workshop.TestKit;

namespace Lab03.Tests;

/// <summary>A price as the API answers it (the test's own copy: the spec knows the API, not the services' types).</summary>
public sealed record PriceDto(string Sku, string Currency, string Region, decimal Amount, DateTimeOffset UpdatedAt);

/// <summary>The calls the spec makes, and the lab's figures read from <c>/metrics</c>.</summary>
public static partial class PriceApi
{
    public static async Task<PriceDto> GetPriceAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        response.IsSuccessStatusCode.Should().BeTrue("GET {0} answers 200, not {1}", url, (int)response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<PriceDto>())!;
    }

    /// <summary>Changes a list price at the store, as the pricing team's back office does.</summary>
    public static async Task SetListPriceAsync(this HttpClient client, string sku, decimal amount)
    {
        using var response = await client.PutAsJsonAsync($"/api/prices/{sku}", new { amount });
        ((int)response.StatusCode).Should().Be(204, "PUT /api/prices/{0} changes the price at the store", sku);
    }


    /// <summary>How a figure reads in a message: its value, or "absent".</summary>
    public static string Show(double? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "absent";
}
