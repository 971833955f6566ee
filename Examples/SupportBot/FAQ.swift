/// Acme's help-centre articles: the bot's knowledge base.
enum FAQ {
    static let articles: [(source: String, title: String, text: String)] = [
        (
            "faq/shipping.md", "Shipping and delivery",
            """
            Standard delivery takes 3 to 5 business days and is free above 50 euros. Express delivery arrives the next \
            business day for 9.90 euros when ordered before 3 pm. Click and collect is free: the parcel waits 10 days in \
            the chosen store. Delivery options are chosen at checkout and can be changed until the order ships.
            """
        ),
        (
            "faq/returns.md", "Returns and refunds",
            """
            Any item can be returned within 30 days of delivery for a full refund. Print the prepaid label from your \
            account, or bring the item to a store. Refunds reach the original payment card within 10 business days.
            """
        ),
        (
            "faq/account.md", "Your account",
            """
            Reset your password from the sign-in page with the link "Forgotten password". Your order history, invoices \
            and saved addresses are under "My account". Closing an account deletes its data after 30 days.
            """
        ),
    ]
}
