"""The HTTP surfaces: the Litestar app, its controllers, the OpenAI-compatible endpoint,
MCP tools and the playground, all answering through one error table."""
