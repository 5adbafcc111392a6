namespace Lab10.Fixed;

/// <summary>Names this service for <c>WebApplicationFactory&lt;T&gt;</c>; every lab service has one.</summary>
public sealed class Marker;
