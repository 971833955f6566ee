print("mistral")
