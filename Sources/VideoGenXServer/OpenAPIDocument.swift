// The OpenAPI 3.1 description of the HTTP API, compiled into the binary so a copied binary
// serves the whole document (a SwiftPM resource bundle stays behind beside the build). This is
// the document's only copy: edit it here. `make fuzz` validates what the server serves
// (openapi-spec-validator) and fuzzes the server against it (schemathesis).

/// The text `GET /openapi.yaml` answers with.
enum OpenAPIDocument {
    /// The YAML document.
    static let yaml = #"""
openapi: 3.1.0
info:
  title: VideoGenX API
  version: 1.0.0
  summary: Text (and an optional reference image) to finished video, as a service.
  description: |
    Every JSON response is the envelope `{"code", "message", "data"}`: `code` is `0` on success and
    a stable string otherwise, with real HTTP statuses. Routes under `/api/v1/video` and
    `/api/v1/webhooks` need a signed request: headers `X-Api-Key`, `X-Timestamp` (Unix seconds,
    within 300 s), `X-Nonce` (16–64 URL-safe characters, never reused) and `X-Signature`, the
    lowercase hex HMAC-SHA256 keyed with the key's secret of
    `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nhex(SHA256(body))`. Every authenticated response
    carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`.
servers:
  - url: http://127.0.0.1:8000
security:
  - apiKey: []
    timestamp: []
    nonce: []
    signature: []
tags:
  - name: tasks
  - name: webhooks
  - name: admin
  - name: models
  - name: operations
paths:
  /api/v1/video/generate:
    post:
      tags: [tasks]
      operationId: generate
      summary: Submit a generation task.
      description: |
        Answers 202 with the task id at once. With `Prefer: wait=N` (N ≤ 60) the request is held up
        to N seconds and answers 200 with the finished task if it ended in time. `Idempotency-Key`
        returns the first task for a repeated key.
      parameters:
        - name: Idempotency-Key
          in: header
          required: false
          schema: {type: string, minLength: 1, maxLength: 255}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/GenerateRequest'}
      responses:
        '200': {$ref: '#/components/responses/Task'}
        '202':
          description: Accepted; follow it at `query_url`.
          content:
            application/json:
              schema:
                allOf:
                  - $ref: '#/components/schemas/Success'
                  - properties:
                      data: {$ref: '#/components/schemas/Accepted'}
        '400': {$ref: '#/components/responses/Invalid'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '413': {$ref: '#/components/responses/Error'}
        '429': {$ref: '#/components/responses/TooMany'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/video/task/{task_id}:
    get:
      tags: [tasks]
      operationId: getTask
      summary: A task's status, progress, result or error.
      parameters: [{$ref: '#/components/parameters/TaskID'}]
      responses:
        '200': {$ref: '#/components/responses/Task'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '404': {$ref: '#/components/responses/Error'}
        '429': {$ref: '#/components/responses/TooMany'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/video/task/{task_id}/cancel:
    post:
      tags: [tasks]
      operationId: cancelTask
      summary: Cancel a pending or running task.
      parameters: [{$ref: '#/components/parameters/TaskID'}]
      responses:
        '200': {$ref: '#/components/responses/Task'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '404': {$ref: '#/components/responses/Error'}
        '409': {$ref: '#/components/responses/Error'}
        '429': {$ref: '#/components/responses/TooMany'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/video/task/{task_id}/events:
    get:
      tags: [tasks]
      operationId: taskEvents
      summary: Server-Sent Events of a task until it ends.
      description: |
        Events `progress`, then `succeeded`, `failed` or `cancelled`, each with the task as `data`
        and its update time (Unix ms) as `id`; reconnect with `Last-Event-ID` to resume.
      parameters:
        - $ref: '#/components/parameters/TaskID'
        - name: Last-Event-ID
          in: header
          required: false
          schema: {type: string, pattern: '^[0-9]{1,15}$'}
      responses:
        '200':
          description: The event stream; each event as below, its `data` the task (schema `Task`) as JSON.
          content:
            text/event-stream:
              schema:
                type: object
                required: [id, event, data]
                properties:
                  id: {type: string, pattern: '^[0-9]+$'}
                  event: {type: string, enum: [progress, succeeded, failed, cancelled]}
                  data: {type: string, contentMediaType: application/json}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '404': {$ref: '#/components/responses/Error'}
        '429': {$ref: '#/components/responses/TooMany'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/video/task/{task_id}/content:
    get:
      tags: [tasks]
      operationId: taskContent
      summary: The video of a succeeded task, with HTTP ranges (folder store), or a redirect to a fresh presigned URL of the bucket (S3 store).
      parameters: [{$ref: '#/components/parameters/TaskID'}]
      responses:
        '200': {$ref: '#/components/responses/Video'}
        '206': {$ref: '#/components/responses/Video'}
        '302':
          description: The store serves the bytes itself (S3); follow Location, a presigned GET URL valid api.url_expiry_seconds.
          headers:
            Location: {schema: {type: string, format: uri}}
        '410': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '404': {$ref: '#/components/responses/Error'}
        '409': {$ref: '#/components/responses/Error'}
        '416': {$ref: '#/components/responses/Error'}
        '429': {$ref: '#/components/responses/TooMany'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/video/tasks:
    get:
      tags: [tasks]
      operationId: listTasks
      summary: The caller's tasks, newest first.
      parameters:
        - name: status
          in: query
          required: false
          schema: {$ref: '#/components/schemas/Status'}
        - name: limit
          in: query
          required: false
          schema: {type: integer, minimum: 1, maximum: 100, default: 20}
        - name: cursor
          in: query
          required: false
          description: '`next_cursor` of the previous page.'
          schema: {type: string}
      responses:
        '200':
          description: One page.
          content:
            application/json:
              schema:
                allOf:
                  - $ref: '#/components/schemas/Success'
                  - properties:
                      data:
                        type: object
                        required: [tasks]
                        properties:
                          tasks: {type: array, items: {$ref: '#/components/schemas/Task'}}
                          next_cursor: {type: string}
        '400': {$ref: '#/components/responses/Invalid'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '429': {$ref: '#/components/responses/TooMany'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/video/options:
    get:
      tags: [tasks]
      operationId: submissionOptions
      summary: What the caller may submit - every field of a generate request with this server's default, its choices or range, the caller's tier applied (the web console builds its form from it).
      responses:
        '200':
          description: The caller and the fields, in form order.
          content:
            application/json:
              schema:
                allOf:
                  - $ref: '#/components/schemas/Success'
                  - properties:
                      data:
                        type: object
                        required: [caller, fields]
                        properties:
                          caller:
                            type: object
                            required: [user_id, tier, key_id]
                            properties:
                              user_id: {type: string}
                              tier: {type: string, enum: [free, paid, admin]}
                              key_id: {type: string}
                          fields:
                            type: array
                            items:
                              type: object
                              required: [name, group, type, required]
                              properties:
                                name: {type: string, description: 'The path in the request body (params.subtitle.text); field errors name the same path.'}
                                group: {type: string, enum: [basic, advanced, finishing]}
                                type: {type: string, enum: [text, longtext, url, image, choice, integer, number, boolean, color]}
                                default: {type: [string, number, boolean]}
                                console_default: {type: [string, number, boolean]}
                                console_note: {type: string}
                                choices: {type: array, items: {type: [string, number, boolean]}}
                                min: {type: number}
                                max: {type: number}
                                step: {type: number}
                                required: {type: boolean}
                                requires: {type: array, items: {type: string}, description: 'The fields of which one must be given for this one to be sent (it only qualifies them).'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '429': {$ref: '#/components/responses/TooMany'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/webhooks/secret:
    get:
      tags: [webhooks]
      operationId: webhookSecret
      summary: The caller's webhook secret (Standard Webhooks `whsec_…`).
      responses:
        '200':
          description: The secret.
          content:
            application/json:
              schema:
                allOf:
                  - $ref: '#/components/schemas/Success'
                  - properties:
                      data:
                        type: object
                        required: [secret, scheme]
                        properties:
                          secret: {type: string, pattern: '^whsec_'}
                          scheme: {type: string}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '404': {$ref: '#/components/responses/Error'}
        '429': {$ref: '#/components/responses/TooMany'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/admin/devices:
    get:
      tags: [admin]
      operationId: devices
      summary: The worker's devices (state, utilisation, memory, running tasks), its warm model cache and the queue depth. Admin keys only.
      responses:
        '200':
          description: One entry per configured device, in configuration order.
          content:
            application/json:
              schema:
                allOf:
                  - $ref: '#/components/schemas/Success'
                  - properties:
                      data:
                        type: object
                        required: [devices, models, queued_tasks]
                        properties:
                          queued_tasks: {type: integer, minimum: 0}
                          models:
                            type: array
                            description: The warm model cache; first_use_seconds is the last cold acquire (loading included), warm_seconds the last warm one.
                            items:
                              type: object
                              required: [name, loaded, in_use, uses, loads]
                              properties:
                                name: {type: string}
                                loaded: {type: boolean}
                                in_use: {type: integer, minimum: 0}
                                uses: {type: integer, minimum: 0}
                                loads: {type: integer, minimum: 0}
                                first_use_seconds: {type: number, minimum: 0}
                                warm_seconds: {type: number, minimum: 0}
                                precision: {type: string}
                                device: {type: string, description: The device whose warm cache holds it.}
                          devices:
                            type: array
                            items:
                              type: object
                              required: [name, kind, state, running_tasks]
                              properties:
                                name: {type: string}
                                kind: {type: string, enum: [cpu, gpu, simulated]}
                                state: {type: string, enum: [online, offline]}
                                product: {type: string}
                                utilisation: {type: number, minimum: 0, maximum: 1}
                                memory_used_bytes: {type: integer, minimum: 0}
                                memory_total_bytes: {type: integer, minimum: 0}
                                temperature_celsius: {type: integer}
                                running_tasks: {type: integer, minimum: 0}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Error'}
        '404': {$ref: '#/components/responses/Error'}
        '429': {$ref: '#/components/responses/TooMany'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/admin/queue:
    get:
      tags: [admin]
      operationId: adminQueue
      summary: Queued tasks per priority lane and the 20 most recent failures with their reasons. Admin keys only; any api node answers.
      responses:
        '200':
          description: The queue.
          content:
            application/json:
              schema:
                allOf:
                  - $ref: '#/components/schemas/Success'
                  - properties:
                      data:
                        type: object
                        required: [queued_tasks, queue_depth, recent_failures]
                        properties:
                          queued_tasks: {type: integer, minimum: 0}
                          queue_depth:
                            type: object
                            description: Queued tasks per lane, keyed P0 to P3.
                            additionalProperties: {type: integer, minimum: 0}
                          recent_failures:
                            type: array
                            items:
                              type: object
                              required: [task_id, user_id, attempts, code, message]
                              properties:
                                task_id: {type: string}
                                user_id: {type: string}
                                finished_at: {type: string, format: date-time}
                                attempts: {type: integer, minimum: 0}
                                code: {type: string}
                                message: {type: string}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Error'}
        '429': {$ref: '#/components/responses/TooMany'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/models:
    get:
      tags: [models]
      operationId: models
      summary: The model registry — the built-in procedural model and every config in models.dir — with what each renders and whether this node can run it.
      responses:
        '200':
          description: Every registered model; a request names one in params.model.
          content:
            application/json:
              schema:
                allOf:
                  - $ref: '#/components/schemas/Success'
                  - properties:
                      data:
                        type: object
                        required: [models]
                        properties:
                          models:
                            type: array
                            items:
                              type: object
                              required: [name, backend, version, variants, resolutions, fps, max_batch, memory_mb_per_task, available]
                              properties:
                                name: {type: string}
                                backend: {type: string, enum: [procedural, onnx]}
                                version: {type: string}
                                description: {type: string}
                                variants: {type: array, items: {type: string, enum: [fp32, fp16, int8]}}
                                resolutions: {type: array, items: {type: string, enum: [720P, 1080P, 4K]}}
                                fps: {type: array, items: {type: integer}}
                                max_frames: {type: integer, minimum: 1}
                                max_batch: {type: integer, minimum: 1, maximum: 8}
                                memory_mb_per_task: {type: integer, minimum: 1}
                                available: {type: boolean}
                                unavailable_reason: {type: string}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '429': {$ref: '#/components/responses/TooMany'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/objects/{key}:
    get:
      tags: [tasks]
      operationId: signedObject
      summary: What a result URL points at (`video_url`, `thumbnail_url`).
      description: Signed by the server and expiring; the key may contain `/`. Tampered or expired → 403.
      security: []
      parameters:
        - name: key
          in: path
          required: true
          schema: {type: string}
        - name: expires
          in: query
          required: true
          schema: {type: string}
        - name: signature
          in: query
          required: true
          schema: {type: string}
      responses:
        '200': {$ref: '#/components/responses/Video'}
        '206': {$ref: '#/components/responses/Video'}
        '400': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
        '404': {$ref: '#/components/responses/Error'}
        '416': {$ref: '#/components/responses/Error'}
  /healthz:
    get:
      tags: [operations]
      operationId: health
      summary: The process is up.
      security: []
      responses:
        '200': {$ref: '#/components/responses/Status'}
  /readyz:
    get:
      tags: [operations]
      operationId: ready
      summary: Store, object store and worker ready.
      security: []
      responses:
        '200': {$ref: '#/components/responses/Status'}
        '503': {$ref: '#/components/responses/Error'}
  /openapi.yaml:
    get:
      tags: [operations]
      operationId: openAPI
      summary: This document.
      security: []
      responses:
        '200':
          description: OpenAPI 3.1 YAML.
          content:
            application/yaml:
              schema: {type: string}
  /metrics:
    get:
      tags: [operations]
      operationId: metrics
      summary: Prometheus metrics of this process (text exposition format 0.0.4); never authenticated, never shed.
      description: Served when `metrics.enabled` is true (the default); the metric names are listed in the README's "Observability" section.
      security: []
      responses:
        '200':
          description: The Prometheus text format.
          content:
            text/plain:
              schema: {type: string}
components:
  securitySchemes:
    apiKey: {type: apiKey, in: header, name: X-Api-Key, description: The API key id (`vk_…`).}
    timestamp: {type: apiKey, in: header, name: X-Timestamp, description: Unix seconds of the request.}
    nonce: {type: apiKey, in: header, name: X-Nonce, description: '16–64 URL-safe characters, never reused.'}
    signature: {type: apiKey, in: header, name: X-Signature, description: 'Lowercase hex HMAC-SHA256 of the canonical request.'}
  parameters:
    TaskID:
      name: task_id
      in: path
      required: true
      schema: {type: string}
  schemas:
    Status:
      type: string
      enum: [pending, processing, succeeded, failed, cancelled]
    GenerateRequest:
      type: object
      additionalProperties: false
      required: [text]
      properties:
        text: {type: string, minLength: 1, maxLength: 2000}
        image:
          type: string
          description: 'An http(s) URL (SSRF-checked), a `data:image/…;base64,` URI, or the object key of one of your results (`videos/{task_id}/thumbnail.webp`); at most 10 MiB.'
        callback_url:
          type: string
          maxLength: 2048
          description: Where the terminal state is POSTed (Standard Webhooks signing).
        priority: {type: integer, minimum: 0, maximum: 3, default: 2}
        params: {$ref: '#/components/schemas/Params'}
    Params:
      type: object
      additionalProperties: false
      properties:
        resolution: {type: string, enum: [720P, 1080P, 4K], default: 1080P}
        fps: {type: integer, enum: [24, 30], default: 30}
        duration: {type: integer, minimum: 15, maximum: 60, default: 15}
        style: {type: string, enum: [natural, tech, art, cartoon], default: natural}
        saturation: {type: number, minimum: 0, maximum: 2, default: 1}
        contrast: {type: number, minimum: 0, maximum: 2, default: 1}
        cfg_scale: {type: number, minimum: 1, maximum: 20, default: 7.5}
        steps: {type: integer, minimum: 20, maximum: 100, default: 50}
        sampler: {type: string, enum: [euler, euler_a, ddim, auto], default: auto}
        seed: {type: integer, minimum: 0, maximum: 18446744073709551615}
        brightness: {type: number, minimum: -1, maximum: 1, default: 0}
        denoise: {type: string, enum: ['off', light, strong], default: 'off'}
        subtitle: {$ref: '#/components/schemas/Subtitle'}
        watermark: {$ref: '#/components/schemas/Watermark'}
        background_music: {$ref: '#/components/schemas/BackgroundMusic'}
        codec: {type: string, enum: [h265, h264], default: h265, description: 'h265 is tagged hvc1; h264 (avc1) for browsers without HEVC.'}
        crf: {type: integer, minimum: 0, maximum: 51, description: 'Default 28 for h265, 23 for h264. Exclusive with bitrate.'}
        bitrate: {type: string, pattern: '^[0-9]+(\.[0-9]+)?[kKmM]?$', description: 'Target bitrate, 100k–100M, e.g. 4M or 800k. Exclusive with crf.'}
        preset: {type: string, enum: [ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow, placebo], default: veryfast}
        audio_codec: {type: string, enum: [aac], default: aac}
        model: {type: string, description: 'A registered model (GET /api/v1/models); default the server''s models.default. Its resolutions, frame rates and length are enforced.'}
    Subtitle:
      type: object
      additionalProperties: false
      description: 'Text drawn by libass: give text (whole video) or segments, not both. CJK renders; long lines wrap within max_width.'
      properties:
        enable: {type: boolean, default: true}
        text: {type: string, minLength: 1, maxLength: 500}
        segments:
          type: array
          minItems: 1
          maxItems: 200
          items:
            type: object
            additionalProperties: false
            required: [start, end, text]
            properties:
              start: {type: number, minimum: 0}
              end: {type: number}
              text: {type: string, minLength: 1, maxLength: 500}
        font: {type: string, pattern: '^[A-Za-z0-9 _-]{1,64}$', description: 'Font family via fontconfig; unknown names fall back to the default CJK font. The result names the font used.'}
        size: {type: integer, minimum: 8, maximum: 200, description: Pixels; default 5 % of the frame height.}
        color: {type: string, pattern: '^#[0-9A-Fa-f]{6}$', default: '#FFFFFF'}
        position: {type: string, enum: [bottom, top, center], default: bottom}
        shadow: {type: boolean, default: true}
        max_width: {type: number, minimum: 0.2, maximum: 1, default: 0.9}
    Watermark:
      type: object
      additionalProperties: false
      description: 'Text or image (http(s) URL, SSRF-checked; data:image URI; or a result key videos/{task_id}/{file}), not both. Paid and admin tiers only (403 on free).'
      properties:
        text: {type: string, minLength: 1, maxLength: 100}
        image: {type: string}
        position: {type: string, enum: [top_left, top_right, bottom_left, bottom_right, center], default: bottom_right}
        opacity: {type: integer, minimum: 0, maximum: 100, default: 50}
        scale: {type: number, minimum: 0.01, maximum: 1, description: 'Image width / frame width (default 0.15), or text height / frame height (default 0.05).'}
    BackgroundMusic:
      type: object
      additionalProperties: false
      description: 'An audio URL (SSRF-checked, size-capped) or a built-in synthesised track, not both; looped or trimmed to the video.'
      properties:
        url: {type: string, maxLength: 2048}
        builtin: {type: string, enum: [default, calm, upbeat]}
        volume: {type: number, minimum: 0, maximum: 2, default: 1}
        fade_out: {type: number, minimum: 0, description: Seconds of fade at the end, at most the duration.}
    Accepted:
      type: object
      required: [task_id, status, estimated_time, query_url]
      properties:
        task_id: {type: string}
        status: {$ref: '#/components/schemas/Status'}
        estimated_time: {type: integer, minimum: 0, description: Seconds until the video is expected.}
        query_url: {type: string, description: 'Absolute URL of the task, on `http.public_url`.'}
    Task:
      type: object
      required: [task_id, status, progress, created_at, attempts, priority, request]
      properties:
        task_id: {type: string}
        status: {$ref: '#/components/schemas/Status'}
        progress: {type: integer, minimum: 0, maximum: 100}
        stage: {type: string}
        queue_position: {type: integer, minimum: 0}
        estimated_time: {type: integer, minimum: 0, description: Seconds until a queued task is likely done.}
        created_at: {type: string, format: date-time}
        started_at: {type: string, format: date-time}
        finished_at: {type: string, format: date-time}
        attempts: {type: integer, minimum: 0}
        priority: {type: integer, minimum: 0, maximum: 3}
        request:
          type: object
          required: [text, params]
          properties:
            text: {type: string}
            image: {type: string}
            params:
              type: object
              required: [resolution, fps, duration, style, saturation, contrast, cfg_scale, steps, sampler, seed]
              properties:
                resolution: {type: string}
                fps: {type: integer}
                duration: {type: integer}
                style: {type: string}
                saturation: {type: number}
                contrast: {type: number}
                cfg_scale: {type: number}
                steps: {type: integer}
                sampler: {type: string}
                seed: {type: integer}
                brightness: {type: number}
                denoise: {type: string}
                codec: {type: string}
                crf: {type: integer}
                bitrate: {type: string}
                preset: {type: string}
                audio_codec: {type: string}
                model: {type: string}
                subtitle: {type: object}
                watermark: {type: object}
                background_music: {type: object}
        result:
          type: object
          required: [duration, width, height, fps, codec, size_bytes, expired]
          properties:
            expired: {type: boolean, description: True once retention (objects.retention_days) deleted the video; video_url, thumbnail_url and expires_at are then absent.}
            video_url: {type: string}
            thumbnail_url: {type: string}
            duration: {type: number}
            width: {type: integer}
            height: {type: integer}
            fps: {type: integer}
            codec: {type: string}
            audio_codec: {type: string, description: Present when the video has music.}
            font: {type: string, description: The font family text was drawn with, when there was text.}
            size_bytes: {type: integer}
            expires_at: {type: string, format: date-time}
        error:
          type: object
          required: [code, message]
          properties:
            code: {type: string}
            message: {type: string}
    Success:
      type: object
      required: [code, message, data]
      properties:
        code: {const: 0}
        message: {type: string}
    Failure:
      type: object
      required: [code, message, data]
      properties:
        code: {type: string}
        message: {type: string}
        data:
          oneOf:
            - type: 'null'
            - type: object
              required: [errors]
              properties:
                errors:
                  type: array
                  items:
                    type: object
                    required: [field, reason]
                    properties:
                      field: {type: string}
                      reason: {type: string}
  responses:
    Task:
      description: The task.
      content:
        application/json:
          schema:
            allOf:
              - $ref: '#/components/schemas/Success'
              - properties:
                  data: {$ref: '#/components/schemas/Task'}
    Status:
      description: A status.
      content:
        application/json:
          schema:
            allOf:
              - $ref: '#/components/schemas/Success'
              - properties:
                  data:
                    type: object
                    required: [status]
                    properties:
                      status: {type: string}
    Video:
      description: The video (or the requested range of it).
      content:
        video/mp4:
          schema: {type: string, format: binary}
        image/webp:
          schema: {type: string, format: binary}
    Error:
      description: An error in the envelope.
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Failure'}
    Invalid:
      description: Every invalid field, at once.
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Failure'}
    Unauthorized:
      description: Missing, wrong, stale or replayed credentials; the reason is in `message`.
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Failure'}
    Forbidden:
      description: The tier does not include what was asked for; `data.errors` names it.
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Failure'}
    TooMany:
      description: Rate limit or pending-task cap; see `Retry-After`.
      headers:
        Retry-After: {schema: {type: integer}}
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Failure'}
    Unavailable:
      description: Load shed or queue full; retry after `Retry-After`.
      headers:
        Retry-After: {schema: {type: integer}}
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Failure'}
"""#
}
