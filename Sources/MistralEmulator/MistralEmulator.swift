import MistralKit
