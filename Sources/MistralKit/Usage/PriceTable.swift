import Foundation

/// Prices of Mistral's models, dated, with the billing modifiers; overridable from a file.
///
/// The built-in table (``mistral``) is Mistral's published list as of ``asOf``. Prices change:
/// override or extend it with ``loading(overridesFrom:)`` from a JSON file such as
///
/// ```json
/// {"as_of": "2026-12-01", "models": {"mistral-small-latest": {"input": 0.1, "output": 0.3}}}
/// ```
///
/// Model ids are matched exactly, then by their alias family (an unknown `mistral-small-2609`
/// is priced as `mistral-small-latest`), then a fine-tuned `ft:BASE:...` id by its base.
public struct PriceTable: Sendable, Hashable, Codable {
    /// The date the prices were taken from their source.
    public var asOf: String
    /// Prices by model id or alias.
    public var models: [String: ModelPrice]
    /// Cached prompt tokens cost this fraction of the input price (Mistral: 10%).
    public var cachedInputFraction: Double
    /// Batch calls cost this fraction (Mistral: 50%).
    public var batchFraction: Double
    /// Priority-tier calls cost this multiple (Mistral: 1.75×, after the cache discount).
    public var priorityMultiplier: Double
    /// Regional endpoints cost this multiple (Mistral: 1.1×).
    public var regionalMultiplier: Double

    public init(
        asOf: String, models: [String: ModelPrice], cachedInputFraction: Double = 0.1, batchFraction: Double = 0.5,
        priorityMultiplier: Double = 1.75, regionalMultiplier: Double = 1.1
    ) {
        self.asOf = asOf
        self.models = models
        self.cachedInputFraction = cachedInputFraction
        self.batchFraction = batchFraction
        self.priorityMultiplier = priorityMultiplier
        self.regionalMultiplier = regionalMultiplier
    }

    enum CodingKeys: String, CodingKey {
        case asOf = "as_of"
        case models
        case cachedInputFraction = "cached_input_fraction"
        case batchFraction = "batch_fraction"
        case priorityMultiplier = "priority_multiplier"
        case regionalMultiplier = "regional_multiplier"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = PriceTable.mistral
        asOf = try container.decodeIfPresent(String.self, forKey: .asOf) ?? defaults.asOf
        models = try container.decodeIfPresent([String: ModelPrice].self, forKey: .models) ?? [:]
        cachedInputFraction = try container.decodeIfPresent(Double.self, forKey: .cachedInputFraction) ?? defaults.cachedInputFraction
        batchFraction = try container.decodeIfPresent(Double.self, forKey: .batchFraction) ?? defaults.batchFraction
        priorityMultiplier = try container.decodeIfPresent(Double.self, forKey: .priorityMultiplier) ?? defaults.priorityMultiplier
        regionalMultiplier = try container.decodeIfPresent(Double.self, forKey: .regionalMultiplier) ?? defaults.regionalMultiplier
    }

    /// This table with the prices and modifiers of the JSON file at `url` laid over it.
    ///
    /// - Throws: `.configuration` naming the file and the problem when it cannot be read or
    ///   is not a price table (a negative price included).
    public func loading(overridesFrom url: URL) throws -> PriceTable {
        let overrides: PriceTable
        do {
            overrides = try JSONCoding.decode(PriceTable.self, from: Array(try Data(contentsOf: url)))
        } catch {
            throw MistralError(
                kind: .configuration,
                message: "The price file \(url.path) is not a valid price table: \(MistralClient.summary(of: error))",
                underlying: error)
        }
        for (model, price) in overrides.models
        where price.inputPerMillion < 0 || price.outputPerMillion < 0 || (price.cachedInputPerMillion ?? 0) < 0 {
            throw MistralError(kind: .configuration, message: "The price file \(url.path) gives \(model) a negative price.")
        }
        var merged = self
        merged.asOf = overrides.asOf
        merged.models.merge(overrides.models) { _, new in new }
        merged.cachedInputFraction = overrides.cachedInputFraction
        merged.batchFraction = overrides.batchFraction
        merged.priorityMultiplier = overrides.priorityMultiplier
        merged.regionalMultiplier = overrides.regionalMultiplier
        return merged
    }

    /// The price of `model`, or `nil` when the table does not know it.
    public func price(for model: String) -> ModelPrice? {
        if let price = models[model] { return price }
        if model.hasPrefix("ft:") {
            let parts = model.split(separator: ":")
            if parts.count > 1 { return price(for: String(parts[1])) }
        }
        let family = Self.family(of: model)
        return models[family + "-latest"] ?? models[family]
    }

    /// The cost in US dollars of `usage` on `model`, or `nil` when the price is unknown.
    public func cost(of usage: UsageInfo, model: String, context: PricingContext = PricingContext()) -> Double? {
        cost(
            promptTokens: usage.promptTokens, completionTokens: usage.completionTokens,
            cachedTokens: usage.cachedTokens ?? 0, model: model, context: context)
    }

    /// The cost in US dollars of the given token counts on `model`, or `nil` when unknown.
    public func cost(
        promptTokens: Int, completionTokens: Int, cachedTokens: Int = 0, model: String, context: PricingContext = PricingContext()
    ) -> Double? {
        guard let price = price(for: model) else { return nil }
        let cached = Double(min(max(0, cachedTokens), max(0, promptTokens)))
        let uncached = Double(max(0, promptTokens)) - cached
        let cachedPrice = price.cachedInputPerMillion ?? price.inputPerMillion * cachedInputFraction
        var dollars =
            (uncached * price.inputPerMillion + cached * cachedPrice + Double(max(0, completionTokens)) * price.outputPerMillion)
            / 1_000_000
        if context.batch { dollars *= batchFraction }
        if context.priority { dollars *= priorityMultiplier }
        if context.regional { dollars *= regionalMultiplier }
        return dollars
    }

    /// `mistral-small-2603` and `mistral-small-latest` → `mistral-small`.
    static func family(of model: String) -> String {
        var parts = model.split(separator: "-")
        if let last = parts.last, last == "latest" || (last.count == 4 && last.allSatisfy(\.isNumber)) {
            parts.removeLast()
        }
        return parts.joined(separator: "-")
    }
}
