from ninja import NinjaAPI

api = NinjaAPI(title="OpenProbation API", version="1", urls_namespace="api-v1")
