using System.Text.Json;
using System.Text.RegularExpressions;

namespace Lab04.Weather;

/// <summary>What the gateway answers: the city asked for and the provider's latest observation, as the provider sent it.</summary>
public sealed record WeatherReport(string City, JsonElement Latest);

public static partial class City
{
    /// <summary>A city name: 1 to 64 letters, with spaces, hyphens and apostrophes inside ("Saint-Étienne", "L'Aquila").</summary>
    public static bool IsValid(string city) => city.Length is > 0 and <= 64 && Name().IsMatch(city);

    [GeneratedRegex(@"^\p{L}+(?:[ '\-]\p{L}+)*$")]
    private static partial Regex Name();
}
